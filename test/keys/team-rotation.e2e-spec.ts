/**
 * Team key rotation through the real server and SDK: every data key of the scope is
 * re-sealed to the new generation, signed by the rotator for its record, and still
 * opens; members reach old generations through history links; a start with a member
 * left out, or with an unsigned, badly signed, moved or someone else's wrap, is refused;
 * two simultaneous rotations let exactly one through; a disabled member is left out; and
 * each rotation is audited. A start carrying every data key completes at once (what a
 * client written before chunked rotations does); chunks, resuming and the rest of the
 * chunked protocol are chunked-rotation.e2e-spec.ts's.
 */
import { randomUUID } from 'node:crypto';
import sodium from 'libsodium-wrappers-sumo';
import type { EgideSession } from '../../src/client/egide-session';
import { EgideApiError } from '../../src/client/http-client';
import { KeysApi } from '../../src/client/keys-api';
import { bootstrapTeam, grantTo, openMyTeamKeys, pendingMembers, rotateTeam, type RotationProgress } from '../../src/client/team-keys-flow';
import {
  generateDataKey,
  openSealedDataKey,
  rotateTeam as rotateTeamKeys,
  sealDataKeyToTeam,
  signDataKeyWrap,
  verifyDataKeyWrap,
  type DataKey,
  type RotatingDataKeyWrap,
  type TeamKeys,
} from '../../src/client/crypto';
import type { StoredDataKeyWrap } from '../../src/crypto/data-key-wrap-payload';
import type { SealedDataKey } from '../../src/crypto/key-bundles';
import { fromBase64Url, toBase64Url } from '../../src/crypto/binary-encoding';
import { readyCrypto } from '../../src/crypto/protocol-hash';
import { UnverifiedAuthorError } from '../../src/client/trust-store';
import { encodeTeamKeyGrantMessage } from '../../src/crypto/team-grant-payload';
import type { StartRotationRequest } from '../../src/keys/dto/start-rotation.dto';
import { startCastApp, type CastApp } from '../support/cast';
import { querySql } from '../support/test-database';

/** A start carrying every data key: what a rotation was before chunks. */
type RotateTeamRequest = Required<StartRotationRequest>;

let app: CastApp;
let a1: EgideSession;
let a2: EgideSession;
let b1: EgideSession;
let admin: EgideSession;
const dataKeysA: DataKey[] = [];
let dataKeyB: DataKey;

async function statusOf(call: Promise<unknown>): Promise<{ status: number; reason?: unknown }> {
  try {
    await call;
    return { status: 201 };
  } catch (error) {
    if (!(error instanceof EgideApiError)) throw error;
    return { status: error.status, reason: error.problem.reason };
  }
}

/** Wraps of records that are not cases' (no case rows here): what a rotation must carry, written as protocol 1 did (unsigned). */
async function storeWrap(sealed: SealedDataKey): Promise<void> {
  await querySql(
    app.database.url,
    `INSERT INTO data_key_wraps (key_id, scope_id, generation, sealed, entity, record_id) VALUES ($1, $2, $3, $4, 'case', $5)`,
    [sealed.keyId, sealed.scopeId, sealed.generation, sealed.sealed, randomUUID()],
  );
}

async function allWraps(session: EgideSession): Promise<StoredDataKeyWrap[]> {
  return (await new KeysApi(session.http).dataKeys({ limit: 500 })).dataKeys;
}

function flip(text: string): string {
  const bytes = Uint8Array.from(fromBase64Url(text));
  bytes[0] ^= 1;
  return toBase64Url(bytes);
}

/** A rotation body made by the SDK's crypto, for the tests that tamper with it. */
async function rotationBody(session: EgideSession, wraps: readonly RotatingDataKeyWrap[], members: readonly EgideSession[]): Promise<RotateTeamRequest> {
  const { current } = await openMyTeamKeys(session);
  const rotation = rotateTeamKeys({
    current,
    sealedDataKeys: wraps,
    remainingMembers: members.map((member) => ({ userId: member.user.id, boxPublicKey: member.keys.boxPublicKey, signPublicKey: member.keys.signPublicKey })),
    rotatedBy: { userId: session.user.id, signSecretKey: session.keys.signSecretKey },
  });
  return {
    generation: rotation.next.generation,
    teamBoxPublicKey: toBase64Url(rotation.next.boxPublicKey),
    historyLink: rotation.historyLink,
    grants: rotation.grants,
    resealedDataKeys: rotation.resealedDataKeys,
  };
}

function openAll(wraps: readonly StoredDataKeyWrap[], team: TeamKeys): Map<string, Uint8Array> {
  return new Map(wraps.map((wrap) => [wrap.keyId, openSealedDataKey(wrap, team).key]));
}

beforeAll(async () => {
  await readyCrypto();
  app = await startCastApp();
  [a1, a2, b1, admin] = [await app.login('contactA1'), await app.login('contactA2'), await app.login('contactB1'), await app.login('admin')];
  const { team } = await bootstrapTeam(a1);
  const [pendingA2] = await pendingMembers(a1);
  await grantTo(a1, pendingA2, app.cast.members.contactA2.fingerprint);
  for (let i = 0; i < 3; i += 1) {
    const dataKey = generateDataKey();
    dataKeysA.push(dataKey);
    await storeWrap(sealDataKeyToTeam(dataKey, team));
  }
  const teamB = (await bootstrapTeam(b1)).team;
  dataKeyB = generateDataKey();
  await storeWrap(sealDataKeyToTeam(dataKeyB, teamB));
});

afterAll(async () => {
  await app.close();
});

describe('a rotation start is refused', () => {
  it("another scope's data key → 404, and a member left without the new key → 409", async () => {
    const wraps = await allWraps(a1);
    const withB = await rotationBody(a1, wraps, [a1, a2]);
    withB.resealedDataKeys.push({ ...withB.resealedDataKeys[0], keyId: dataKeyB.keyId, scopeId: app.cast.ids.embassyB });
    await expect(statusOf(new KeysApi(a1.http).startRotation(withB))).resolves.toMatchObject({ status: 404 });
    const withoutA2 = await rotationBody(a1, wraps, [a1]);
    await expect(statusOf(new KeysApi(a1.http).startRotation(withoutA2))).resolves.toEqual({ status: 409, reason: 'incomplete-grants' });
  });

  it('an unsigned, badly signed, moved or someone else’s re-sealed wrap → 400 naming it', async () => {
    const wraps = await allWraps(a1);
    const rotate = (body: RotateTeamRequest): Promise<{ status: number; fields: string[] }> =>
      new KeysApi(a1.http).startRotation(body).then(
        () => ({ status: 201, fields: [] }),
        (error: unknown) => {
          if (!(error instanceof EgideApiError)) throw error;
          return { status: error.status, fields: (error.problem.errors ?? []).map((e) => e.field) };
        },
      );
    const base = await rotationBody(a1, wraps, [a1, a2]);
    const first = base.resealedDataKeys[0];
    const withFirst = (wrap: unknown): RotateTeamRequest => ({ ...base, resealedDataKeys: [wrap as RotateTeamRequest['resealedDataKeys'][0], ...base.resealedDataKeys.slice(1)] });

    const { signature: _signature, ...unsignedWrap } = first;
    await expect(rotate(withFirst(unsignedWrap))).resolves.toEqual({ status: 400, fields: ['resealedDataKeys.0.signature'] });
    await expect(rotate(withFirst({ ...first, signature: flip(first.signature) }))).resolves.toEqual({
      status: 400,
      fields: ['resealedDataKeys.0.signature'],
    });
    // Well signed by the caller, but for another record than the stored wrap's: a rotation never moves a key.
    const moved = signDataKeyWrap(first, { entity: 'case', recordId: randomUUID(), writerUserId: a1.user.id }, a1.keys.signSecretKey);
    await expect(rotate(withFirst(moved))).resolves.toEqual({ status: 400, fields: ['resealedDataKeys.0.recordId'] });
    const otherEntity = signDataKeyWrap(first, { entity: 'visa_request', recordId: first.recordId, writerUserId: a1.user.id }, a1.keys.signSecretKey);
    await expect(rotate(withFirst(otherEntity))).resolves.toEqual({ status: 400, fields: ['resealedDataKeys.0.entity'] });
    // Signed by A2 as A2, or by A2 under A1's name: the writer must be the caller, and it is their key that must verify.
    const byA2 = signDataKeyWrap(first, { entity: first.entity, recordId: first.recordId, writerUserId: a2.user.id }, a2.keys.signSecretKey);
    await expect(rotate(withFirst(byA2))).resolves.toEqual({ status: 400, fields: ['resealedDataKeys.0.writerUserId'] });
    const a2AsA1 = signDataKeyWrap(first, { entity: first.entity, recordId: first.recordId, writerUserId: a1.user.id }, a2.keys.signSecretKey);
    await expect(rotate(withFirst(a2AsA1))).resolves.toEqual({ status: 400, fields: ['resealedDataKeys.0.signature'] });
  });

  it('a grant of the rotation altered after signing, or made as version 1 → 400', async () => {
    const body = await rotationBody(a1, await allWraps(a1), [a1, a2]);
    const altered = { ...body, grants: [body.grants[0], { ...body.grants[1], sealedTeamSeed: body.grants[0].sealedTeamSeed }] };
    await expect(statusOf(new KeysApi(a1.http).startRotation(altered))).resolves.toMatchObject({ status: 400 });
    const { recipientSignPublicKey: _dropped, signature: _signature, ...rest } = body.grants[1];
    const v1 = { ...rest, version: 1 as const };
    const signedV1 = { ...v1, signature: toBase64Url(sodium.crypto_sign_detached(encodeTeamKeyGrantMessage(v1), a1.keys.signSecretKey)) };
    const error = await new KeysApi(a1.http).startRotation({ ...body, grants: [body.grants[0], signedV1] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EgideApiError);
    expect((error as EgideApiError).problem.errors?.map((e) => e.field)).toEqual(['grants.1.version']);
  });

  it('leaves generation 1 and its wraps untouched', async () => {
    const rows = await querySql<{ generation: number }>(app.database.url, `SELECT DISTINCT generation FROM data_key_wraps WHERE scope_id = $1`, [
      app.cast.ids.embassyA,
    ]);
    expect(rows).toEqual([{ generation: 1 }]);
    await expect(openMyTeamKeys(a2)).resolves.toMatchObject({ current: { generation: 1 } });
  });
});

describe('a rotation', () => {
  it('refuses to re-sign wraps that neither a trusted signature nor their record vouches for, and changes nothing', async () => {
    // Unsigned wraps of records that are not cases: nothing can check them.
    await expect(rotateTeam(a1)).rejects.toBeInstanceOf(UnverifiedAuthorError);
    const rows = await querySql<{ generation: number }>(app.database.url, `SELECT DISTINCT generation FROM data_key_wraps WHERE scope_id = $1`, [
      app.cast.ids.embassyA,
    ]);
    expect(rows).toEqual([{ generation: 1 }]);
  });

  it('re-seals every data key to generation 2 and re-grants every member', async () => {
    const before = await allWraps(a1);
    expect(before.map((wrap) => wrap.signature)).toEqual([null, null, null]);
    const progress: RotationProgress[] = [];
    const checked: string[] = [];
    // The caller's record check (for cases: confirmCaseWrap) vouches for each unsigned wrap.
    const { next, response } = await rotateTeam(
      a1,
      (step) => progress.push(step),
      (wrap) => {
        checked.push(wrap.keyId);
        return Promise.resolve(true);
      },
    );
    expect(checked.sort()).toEqual(before.map((wrap) => wrap.keyId).sort());
    expect(response).toMatchObject({ scopeId: app.cast.ids.embassyA, generation: 2, grantsCreated: 2, dataKeysTotal: 3, dataKeysResealed: 3, state: 'COMPLETED' });
    expect(progress.map((step) => step.stage)).toEqual(['opening-keys', 'checking', 'started', 'resealing', 'completing', 'done']);

    const wraps = await allWraps(a2);
    expect(wraps.map((wrap) => wrap.generation)).toEqual([2, 2, 2]);
    const opened = openAll(wraps, next);
    for (const dataKey of dataKeysA) expect(opened.get(dataKey.keyId)).toEqual(dataKey.key);
    // The wraps of protocol 1 come out signed by the rotator, each for the record it belonged to.
    expect(wraps.map((wrap) => [wrap.keyId, wrap.recordId])).toEqual(before.map((wrap) => [wrap.keyId, wrap.recordId]));
    for (const wrap of wraps) {
      expect(wrap.writerUserId).toBe(a1.user.id);
      expect(() => verifyDataKeyWrap(wrap, a1.keys.signPublicKey)).not.toThrow();
    }
  });

  it('lets the other member open generation 2 and walk back to generation 1', async () => {
    const { current, history } = await openMyTeamKeys(a2);
    expect(current.generation).toBe(2);
    expect(history.map((team) => team.generation)).toEqual([2, 1]);
    const opened = openAll(await allWraps(a2), current);
    expect([...opened.keys()].sort()).toEqual(dataKeysA.map((key) => key.keyId).sort());
  });

  it("keeps generation 1's grants of the remaining members (chains of grants vouch through them) and its row; other scopes are untouched", async () => {
    const grants = await querySql<{ generation: number; n: number }>(
      app.database.url,
      `SELECT generation, count(*)::int AS n FROM team_key_grants WHERE scope_id = $1 GROUP BY generation ORDER BY generation`,
      [app.cast.ids.embassyA],
    );
    expect(grants).toEqual([
      { generation: 1, n: 2 },
      { generation: 2, n: 2 },
    ]);
    const generations = await querySql<{ generation: number }>(
      app.database.url,
      `SELECT generation FROM team_key_generations WHERE scope_id = $1 ORDER BY generation`,
      [app.cast.ids.embassyA],
    );
    expect(generations).toEqual([{ generation: 1 }, { generation: 2 }]);
    const wrapsB = await allWraps(b1);
    expect(wrapsB.map((wrap) => [wrap.keyId, wrap.generation])).toEqual([[dataKeyB.keyId, 1]]);
  });

  it('whose generation does not match its history link and grants → 400', async () => {
    const stale = await rotationBody(a1, await allWraps(a1), [a1, a2]);
    await expect(statusOf(new KeysApi(a1.http).startRotation({ ...stale, generation: 2 }))).resolves.toMatchObject({ status: 400 });
  });
});

it('lets exactly one of two simultaneous rotations through; the other gets 409', async () => {
  const wraps = await allWraps(a1);
  const [byA1, byA2] = [await rotationBody(a1, wraps, [a1, a2]), await rotationBody(a2, wraps, [a1, a2])];
  const results = await Promise.all([statusOf(new KeysApi(a1.http).startRotation(byA1)), statusOf(new KeysApi(a2.http).startRotation(byA2))]);
  expect(results.map((result) => result.status).sort()).toEqual([201, 409]);
  // The winner carried every data key: it completed in its one request.
  await expect(new KeysApi(a1.http).currentRotation()).resolves.toBeUndefined();
  const { current } = await openMyTeamKeys(a1);
  expect(current.generation).toBe(3);
  const opened = openAll(await allWraps(a1), current);
  for (const dataKey of dataKeysA) expect(opened.get(dataKey.keyId)).toEqual(dataKey.key);
});

it('leaves a disabled member out of the next rotation', async () => {
  await admin.admin.disableUser(a2.user.id, { version: (await admin.admin.getUser(a2.user.id)).version });
  const { response } = await rotateTeam(a1);
  expect(response).toMatchObject({ generation: 4, grantsCreated: 1, dataKeysResealed: 3 });
  // The disabled member keeps the grants of generations it already had, and gets none of the new one.
  const holders = await querySql<{ recipient_id: string }>(app.database.url, `SELECT recipient_id FROM team_key_grants WHERE scope_id = $1 AND generation = 4`, [
    app.cast.ids.embassyA,
  ]);
  expect(holders).toEqual([{ recipient_id: a1.user.id }]);
  const { history } = await openMyTeamKeys(a1);
  expect(history.map((team) => team.generation)).toEqual([4, 3, 2, 1]);
});

it('audits every rotation in its transaction, and the refused ones', async () => {
  const rows = await querySql<{ action: string; outcome: string; details: Record<string, unknown> }>(
    app.database.url,
    `SELECT action, outcome, details FROM audit_events WHERE action IN ('keys.rotation-started', 'keys.rotated') AND scope_id = $1 ORDER BY id`,
    [app.cast.ids.embassyA],
  );
  const succeeded = (action: string): unknown[] => rows.filter((row) => row.outcome === 'SUCCESS' && row.action === action).map((row) => row.details.generation);
  expect(succeeded('keys.rotation-started')).toEqual([2, 3, 4]);
  expect(succeeded('keys.rotated')).toEqual([2, 3, 4]);
  expect(rows.filter((row) => row.outcome === 'FAILURE').length).toBeGreaterThanOrEqual(6);
});
