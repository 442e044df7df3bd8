/**
 * Chunked, resumable rotation through the real server and SDK (docs/protocol.md §5.16):
 * a rotation cut off after its first chunk leaves generation 2 current and the rotation
 * in progress, with the old wraps kept — readers open every case, old and new, all along;
 * a second rotation is refused while one is in progress; another member finishes it from
 * another device; chunks aimed at a missing, another scope's or a completed rotation, or
 * sealed to the wrong generation, or moving a key to another record, are refused; a chunk
 * sent twice writes nothing new; a key shredded meanwhile is counted as gone; completion
 * is refused while keys await; the next `rotateTeam` finishes a rotation left in progress
 * before starting its own; and every step is audited.
 */
import { randomUUID } from 'node:crypto';
import { createCase, getCase, shredCase } from '../../src/client/case-flow';
import {
  beginTeamRotation,
  generateDataKey,
  resealDataKeys,
  sealDataKeyToTeam,
  signDataKeyWrap,
  type TeamKeys,
} from '../../src/client/crypto';
import type { EgideSession } from '../../src/client/egide-session';
import { EgideApiError } from '../../src/client/http-client';
import { KeysApi } from '../../src/client/keys-api';
import { bootstrapTeam, grantTo, openMyTeamKeys, pendingMembers, resumeRotation, rotateTeam, type RotationProgress } from '../../src/client/team-keys-flow';
import type { SignedDataKeyWrap, StoredDataKeyWrap } from '../../src/crypto/data-key-wrap-payload';
import { toBase64Url } from '../../src/crypto/binary-encoding';
import { readyCrypto } from '../../src/crypto/protocol-hash';
import type { RotationResponse } from '../../src/keys/dto/rotation.response';
import { newCase } from '../cases/case-factory';
import { startCastApp, type CastApp } from '../support/cast';
import { querySql } from '../support/test-database';

const SEEDED = 120;
const CHUNK = 50;

let app: CastApp;
let a1: EgideSession;
let a2: EgideSession;
let b1: EgideSession;
let teamB: TeamKeys;
const caseIds: string[] = [];
let interrupted: RotationResponse;

async function problemOf(call: Promise<unknown>): Promise<{ status: number; reason?: unknown; fields: string[] }> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof EgideApiError)) throw error;
    return { status: error.status, reason: error.problem.reason, fields: (error.problem.errors ?? []).map((entry) => entry.field) };
  }
  throw new Error('expected a refusal');
}

/** Data keys of records that are not cases, wrapped and signed by `writer` as a client would have. */
async function seedWraps(writer: EgideSession, team: TeamKeys, count: number): Promise<void> {
  const wraps = Array.from({ length: count }, () =>
    signDataKeyWrap(sealDataKeyToTeam(generateDataKey(), team), { entity: 'visa_request', recordId: randomUUID(), writerUserId: writer.user.id }, writer.keys.signSecretKey),
  );
  await querySql(
    app.database.url,
    `INSERT INTO data_key_wraps (key_id, scope_id, generation, sealed, entity, record_id, writer_id, signature)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::text[], $6::uuid[], $7::uuid[], $8::text[])`,
    [
      wraps.map((w) => w.keyId),
      wraps.map((w) => w.scopeId),
      wraps.map((w) => w.generation),
      wraps.map((w) => w.sealed),
      wraps.map((w) => w.entity),
      wraps.map((w) => w.recordId),
      wraps.map((w) => w.writerUserId),
      wraps.map((w) => w.signature),
    ],
  );
}

async function generationsOf(scopeId: string): Promise<{ generation: number; n: number }[]> {
  return querySql(app.database.url, `SELECT generation, count(*)::int AS n FROM data_key_wraps WHERE scope_id = $1 GROUP BY generation ORDER BY generation`, [scopeId]);
}

/** The first `count` data keys still awaiting the rotation, walking its pages as a client does. */
async function awaitingKeys(session: EgideSession, rotationId: string, count: number): Promise<StoredDataKeyWrap[]> {
  const found: StoredDataKeyWrap[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await new KeysApi(session.http).pendingDataKeys(rotationId, { after, limit: 20 });
    found.push(...page.dataKeys);
    if (found.length >= count || page.nextAfter === null) return found.slice(0, count);
    after = page.nextAfter;
  }
}

/** A progress callback that cuts the rotation off once the server accepted `chunks` chunks. */
function cutAfter(chunks: number): (step: RotationProgress) => void {
  let seen = 0;
  return (step) => {
    if (step.stage !== 'resealing') return;
    seen += 1;
    if (seen >= chunks) throw new Error('the laptop lid closed');
  };
}

beforeAll(async () => {
  await readyCrypto();
  app = await startCastApp();
  [a1, a2, b1] = [await app.login('contactA1'), await app.login('contactA2'), await app.login('contactB1')];
  const { team } = await bootstrapTeam(a1);
  const [pendingA2] = await pendingMembers(a1);
  await grantTo(a1, pendingA2, app.cast.members.contactA2.fingerprint);
  teamB = (await bootstrapTeam(b1)).team;
  for (const marker of ['old-1', 'old-2']) caseIds.push((await createCase(a1, newCase(marker))).id);
  await seedWraps(a1, team, SEEDED);
});

afterAll(async () => {
  await app.close();
});

describe('a rotation cut off after its first chunk', () => {
  it('is in progress with generation 2 current, one chunk re-sealed and the old wraps kept', async () => {
    const total = SEEDED + caseIds.length;
    await expect(rotateTeam(a1, cutAfter(1), () => Promise.resolve(false), { chunkSize: CHUNK })).rejects.toThrow('the laptop lid closed');
    const current = await new KeysApi(a2.http).currentRotation();
    expect(current).toMatchObject({ state: 'IN_PROGRESS', generation: 2, previousGeneration: 1, dataKeysTotal: total, dataKeysResealed: CHUNK, chunks: 1, startedBy: a1.user.id, grantsCreated: 2 });
    interrupted = current as RotationResponse;
    expect(await generationsOf(app.cast.ids.embassyA)).toEqual([
      { generation: 1, n: total },
      { generation: 2, n: CHUNK },
    ]);
    await expect(openMyTeamKeys(a2)).resolves.toMatchObject({ current: { generation: 2 } });
  });

  it('keeps every case readable, and seals new cases to generation 2', async () => {
    for (const id of caseIds) await expect(getCase(a2, id)).resolves.toMatchObject({ id, content: { narrative: expect.stringContaining('Narrative of old') as string } });
    const fresh = await createCase(a2, newCase('during'));
    caseIds.push(fresh.id);
    const [wrap] = await querySql<{ generation: number }>(app.database.url, `SELECT generation FROM data_key_wraps WHERE record_id = $1`, [fresh.id]);
    expect(wrap.generation).toBe(2);
    await expect(getCase(a1, fresh.id)).resolves.toMatchObject({ content: { narrative: 'Narrative of during' } });
    // The new case's key never awaited the rotation: it was born in generation 2.
    const pending = await awaitingKeys(a1, interrupted.rotationId, SEEDED + caseIds.length);
    expect(pending).toHaveLength(SEEDED + caseIds.length - 1 - CHUNK);
    expect(pending.map((key) => key.recordId)).not.toContain(fresh.id);
  });

  it('refuses a second rotation while it is in progress (409 rotation-in-progress)', async () => {
    const { current } = await openMyTeamKeys(a2);
    const members = [a1, a2].map((member) => ({ userId: member.user.id, boxPublicKey: member.keys.boxPublicKey, signPublicKey: member.keys.signPublicKey }));
    const start = beginTeamRotation({ current, remainingMembers: members, rotatedBy: { userId: a2.user.id, signSecretKey: a2.keys.signSecretKey } });
    const body = { generation: 3, teamBoxPublicKey: toBase64Url(start.next.boxPublicKey), historyLink: start.historyLink, grants: start.grants };
    await expect(problemOf(new KeysApi(a2.http).startRotation(body))).resolves.toMatchObject({ status: 409, reason: 'rotation-in-progress' });
  });

  it('refuses to complete while keys await it (409 rotation-incomplete, with how many)', async () => {
    const error = await new KeysApi(a1.http).completeRotation(interrupted.rotationId).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EgideApiError);
    expect((error as EgideApiError).problem).toMatchObject({ reason: 'rotation-incomplete', awaiting: SEEDED + 2 - CHUNK });
  });
});

describe('chunks', () => {
  let previous: TeamKeys;
  let next: TeamKeys;
  let page: StoredDataKeyWrap[];

  beforeAll(async () => {
    const keys = await openMyTeamKeys(a1);
    [next, previous] = [keys.current, keys.history[1]];
    page = await awaitingKeys(a1, interrupted.rotationId, 3);
  });

  it('pages look at the next keys of generation 1 and answer those still awaiting: the first page is empty but not the last', async () => {
    // The cut-off rotation re-sealed the first 50 keys in key order.
    const first = await new KeysApi(a1.http).pendingDataKeys(interrupted.rotationId, { limit: 10 });
    expect(first.dataKeys).toEqual([]);
    expect(first.nextAfter).not.toBeNull();
  });

  const reseal = (wraps: readonly StoredDataKeyWrap[], by: EgideSession = a1): SignedDataKeyWrap[] =>
    resealDataKeys(wraps, previous, next, { userId: by.user.id, signSecretKey: by.keys.signSecretKey });

  it('for a missing rotation or another scope’s are not found (404)', async () => {
    await expect(problemOf(new KeysApi(a1.http).addRotationChunk(randomUUID(), { resealedDataKeys: reseal(page) }))).resolves.toMatchObject({ status: 404 });
    // Embassy B rotates too (nothing to re-seal: it completes at once); A cannot aim at it.
    const { response } = await rotateTeam(b1);
    await expect(problemOf(new KeysApi(a1.http).addRotationChunk(response.rotationId, { resealedDataKeys: reseal(page) }))).resolves.toMatchObject({ status: 404 });
    await expect(problemOf(new KeysApi(a1.http).pendingDataKeys(response.rotationId))).resolves.toMatchObject({ status: 404 });
    expect(teamB.generation).toBe(1);
  });

  it('sealed to another generation, moving a key to another record, or not signed by the caller are refused (400 naming the field)', async () => {
    const api = new KeysApi(a1.http);
    const stale = signDataKeyWrap({ ...sealDataKeyToTeam(generateDataKey(), previous), keyId: page[0].keyId }, { entity: page[0].entity, recordId: page[0].recordId, writerUserId: a1.user.id }, a1.keys.signSecretKey);
    await expect(problemOf(api.addRotationChunk(interrupted.rotationId, { resealedDataKeys: [stale] }))).resolves.toMatchObject({ status: 400, fields: ['resealedDataKeys.0.generation'] });
    const [first] = reseal(page.slice(0, 1));
    const moved = signDataKeyWrap(first, { entity: first.entity, recordId: randomUUID(), writerUserId: a1.user.id }, a1.keys.signSecretKey);
    await expect(problemOf(api.addRotationChunk(interrupted.rotationId, { resealedDataKeys: [moved] }))).resolves.toMatchObject({ status: 400, fields: ['resealedDataKeys.0.recordId'] });
    const byA2 = reseal(page.slice(0, 1), a2);
    await expect(problemOf(api.addRotationChunk(interrupted.rotationId, { resealedDataKeys: byA2 }))).resolves.toMatchObject({ status: 400, fields: ['resealedDataKeys.0.writerUserId'] });
    await expect(problemOf(api.addRotationChunk(interrupted.rotationId, { resealedDataKeys: [first, first] }))).resolves.toMatchObject({ status: 400, fields: ['resealedDataKeys.1.keyId'] });
  });

  it('sent twice writes nothing the second time; a key shredded meanwhile is counted as gone', async () => {
    const api = new KeysApi(a1.http);
    const chunk = reseal(page.slice(0, 2));
    await expect(api.addRotationChunk(interrupted.rotationId, { resealedDataKeys: chunk })).resolves.toMatchObject({ resealed: 2, alreadyResealed: 0, gone: 0 });
    await expect(api.addRotationChunk(interrupted.rotationId, { resealedDataKeys: chunk })).resolves.toMatchObject({ resealed: 0, alreadyResealed: 2, gone: 0 });
    // A record shredded while the rotation runs: its keys go from every generation.
    const [shredded] = reseal(page.slice(2, 3));
    await querySql(app.database.url, `DELETE FROM data_key_wraps WHERE key_id = $1`, [page[2].keyId]);
    const answer = await api.addRotationChunk(interrupted.rotationId, { resealedDataKeys: [shredded] });
    expect(answer).toMatchObject({ resealed: 0, alreadyResealed: 0, gone: 1, rotation: { state: 'IN_PROGRESS', dataKeysResealed: CHUNK + 2 } });
  });
});

describe('resuming', () => {
  it('another member finishes the rotation from another device; the old wraps go; every key opens under generation 2', async () => {
    const progress: RotationProgress[] = [];
    const outcome = await resumeRotation(a2, (step) => progress.push(step), () => Promise.resolve(false), { chunkSize: CHUNK });
    expect(outcome?.response).toMatchObject({ rotationId: interrupted.rotationId, state: 'COMPLETED', generation: 2 });
    expect(progress[0]).toEqual({ stage: 'opening-keys' });
    expect(progress[1]).toMatchObject({ stage: 'started', resumed: true, rotationId: interrupted.rotationId });
    expect(progress.at(-1)).toEqual({ stage: 'done', generation: 2 });
    const total = SEEDED + caseIds.length - 1;
    expect(await generationsOf(app.cast.ids.embassyA)).toEqual([{ generation: 2, n: total }]);
    await expect(new KeysApi(a1.http).currentRotation()).resolves.toBeUndefined();
    for (const id of caseIds) await expect(getCase(a1, id)).resolves.toMatchObject({ id });
    // Completing again answers the completed rotation (a retry after a lost answer); a chunk now is refused.
    await expect(new KeysApi(a1.http).completeRotation(interrupted.rotationId)).resolves.toMatchObject({ state: 'COMPLETED' });
    const stray = signDataKeyWrap(sealDataKeyToTeam(generateDataKey(), outcome?.next as TeamKeys), { entity: 'case', recordId: randomUUID(), writerUserId: a1.user.id }, a1.keys.signSecretKey);
    await expect(problemOf(new KeysApi(a1.http).addRotationChunk(interrupted.rotationId, { resealedDataKeys: [stray] }))).resolves.toMatchObject({
      status: 409,
      reason: 'rotation-not-in-progress',
    });
    await expect(resumeRotation(a1)).resolves.toBeUndefined();
  });

  it('the next rotation finishes one left in progress before starting its own', async () => {
    await expect(rotateTeam(a2, cutAfter(1), () => Promise.resolve(false), { chunkSize: CHUNK })).rejects.toThrow('the laptop lid closed');
    const left = await new KeysApi(a1.http).currentRotation();
    expect(left).toMatchObject({ generation: 3, state: 'IN_PROGRESS' });
    const outcome = await rotateTeam(a1, () => undefined, () => Promise.resolve(false), { chunkSize: CHUNK });
    expect(outcome.resumed).toMatchObject({ rotationId: left?.rotationId, generation: 3, state: 'COMPLETED' });
    expect(outcome.response).toMatchObject({ generation: 4, state: 'COMPLETED' });
    expect(await generationsOf(app.cast.ids.embassyA)).toEqual([{ generation: 4, n: SEEDED + caseIds.length - 1 }]);
    const shredMe = await getCase(a1, caseIds[0]);
    await expect(shredCase(a1, shredMe.id, shredMe.reference, { version: shredMe.version })).resolves.toMatchObject({ id: shredMe.id, shreddedAt: expect.any(String) as string });
  });

  it('audits the start, each chunk, the refusals and the completion', async () => {
    const rows = await querySql<{ action: string; outcome: string; n: number }>(
      app.database.url,
      `SELECT action, outcome, count(*)::int AS n FROM audit_events
        WHERE scope_id = $1 AND action IN ('keys.rotation-started', 'keys.rotation-chunk', 'keys.rotated')
        GROUP BY action, outcome ORDER BY action, outcome`,
      [app.cast.ids.embassyA],
    );
    const count = (action: string, outcome: string): number => rows.find((row) => row.action === action && row.outcome === outcome)?.n ?? 0;
    expect(count('keys.rotation-started', 'SUCCESS')).toBe(3);
    expect(count('keys.rotation-started', 'FAILURE')).toBe(1);
    expect(count('keys.rotated', 'SUCCESS')).toBe(3);
    expect(count('keys.rotated', 'FAILURE')).toBe(1);
    // Three rotations of 122 keys in chunks of 50 (one cut short), the test's own chunks, and their refusals.
    expect(count('keys.rotation-chunk', 'SUCCESS')).toBeGreaterThanOrEqual(9);
    expect(count('keys.rotation-chunk', 'FAILURE')).toBeGreaterThanOrEqual(7);
  });
});
