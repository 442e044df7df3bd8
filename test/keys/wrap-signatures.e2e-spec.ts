/**
 * Re-signing the data-key wraps written before protocol 2 (unsigned), through the real
 * server and SDK: the flow opens each unsigned wrap of the scope, asks its caller, signs
 * the confirmed ones and posts them; the server stores a signature only when it verifies
 * over the stored row with the caller as writer, touches no other scope's wrap, refuses
 * a wrap already signed, a duplicate, a member without the current generation, and
 * audits each re-signing (and each refusal).
 */
import { randomUUID } from 'node:crypto';
import { generateDataKey, sealDataKeyToTeam, signDataKeyWrap, verifyDataKeyWrap, type DataKey } from '../../src/client/crypto';
import type { EgideSession } from '../../src/client/egide-session';
import { EgideApiError } from '../../src/client/http-client';
import { bootstrapTeam, grantTo, pendingMembers, resignWraps, type ResignProgress } from '../../src/client/team-keys-flow';
import { fromBase64Url, toBase64Url } from '../../src/crypto/binary-encoding';
import type { StoredDataKeyWrap } from '../../src/crypto/data-key-wrap-payload';
import type { SealedDataKey } from '../../src/crypto/key-bundles';
import { readyCrypto } from '../../src/crypto/protocol-hash';
import { startCastApp, type CastApp } from '../support/cast';
import { querySql } from '../support/test-database';

let app: CastApp;
let a1: EgideSession;
let a2: EgideSession;
let b1: EgideSession;
const recordOf = new Map<string, string>();
const dataKeysA: DataKey[] = [];
let wrapB: SealedDataKey;

/** A wrap as protocol 1 wrote it: bound to its record by the migration, signed by nobody. */
async function storeLegacyWrap(sealed: SealedDataKey): Promise<void> {
  const recordId = randomUUID();
  recordOf.set(sealed.keyId, recordId);
  await querySql(
    app.database.url,
    `INSERT INTO data_key_wraps (key_id, scope_id, generation, sealed, entity, record_id) VALUES ($1, $2, $3, $4, 'case', $5)`,
    [sealed.keyId, sealed.scopeId, sealed.generation, sealed.sealed, recordId],
  );
}

async function wrapsOf(session: EgideSession): Promise<StoredDataKeyWrap[]> {
  return (await session.keysApi.dataKeys({ limit: 500 })).dataKeys;
}

async function outcome(call: Promise<unknown>): Promise<{ status: number; reason?: unknown; fields: string[] }> {
  try {
    await call;
    return { status: 200, fields: [] };
  } catch (error) {
    if (!(error instanceof EgideApiError)) throw error;
    return { status: error.status, reason: error.problem.reason, fields: (error.problem.errors ?? []).map((e) => e.field) };
  }
}

/** A1's signature, as writer, over a stored wrap (what the flow sends). */
function signedByA1(wrap: StoredDataKeyWrap): { keyId: string; signature: string } {
  const signed = signDataKeyWrap(wrap, { entity: wrap.entity, recordId: wrap.recordId, writerUserId: a1.user.id }, a1.keys.signSecretKey);
  return { keyId: signed.keyId, signature: signed.signature };
}

beforeAll(async () => {
  await readyCrypto();
  app = await startCastApp();
  [a1, a2, b1] = [await app.login('contactA1'), await app.login('contactA2'), await app.login('contactB1')];
  const { team } = await bootstrapTeam(a1);
  for (let i = 0; i < 4; i += 1) {
    const dataKey = generateDataKey();
    dataKeysA.push(dataKey);
    await storeLegacyWrap(sealDataKeyToTeam(dataKey, team));
  }
  wrapB = sealDataKeyToTeam(generateDataKey(), (await bootstrapTeam(b1)).team);
  await storeLegacyWrap(wrapB);
});

afterAll(async () => {
  await app.close();
});

describe('refused re-signings change nothing', () => {
  it("another scope's key id → 404, and that wrap stays unsigned", async () => {
    const [mine] = await wrapsOf(a1);
    const foreign: StoredDataKeyWrap = { ...wrapB, entity: 'case', recordId: recordOf.get(wrapB.keyId) ?? '', writerUserId: null, signature: null };
    const body = { signatures: [signedByA1(mine), signedByA1(foreign)] };
    await expect(outcome(a1.keysApi.resignWraps(body))).resolves.toMatchObject({ status: 404 });
    await expect(outcome(a1.keysApi.resignWraps({ signatures: [{ keyId: randomUUID(), signature: signedByA1(mine).signature }] }))).resolves.toMatchObject({
      status: 404,
    });
    const rows = await querySql<{ scope_id: string; signature: string | null }>(app.database.url, `SELECT scope_id, signature FROM data_key_wraps`);
    expect(rows.every((row) => row.signature === null)).toBe(true);
    expect(rows.filter((row) => row.scope_id === app.cast.ids.embassyB)).toHaveLength(1);
  });

  it('a bad signature, one over another record, or a signature by someone else → 400 naming it', async () => {
    const [first, second] = await wrapsOf(a1);
    const flipped = Uint8Array.from(fromBase64Url(signedByA1(first).signature));
    flipped[0] ^= 1;
    const moved = signDataKeyWrap(first, { entity: 'case', recordId: randomUUID(), writerUserId: a1.user.id }, a1.keys.signSecretKey);
    const byA2 = signDataKeyWrap(first, { entity: first.entity, recordId: first.recordId, writerUserId: a1.user.id }, a2.keys.signSecretKey);
    for (const signature of [toBase64Url(flipped), moved.signature, byA2.signature]) {
      await expect(outcome(a1.keysApi.resignWraps({ signatures: [signedByA1(second), { keyId: first.keyId, signature }] }))).resolves.toEqual({
        status: 400,
        fields: ['signatures.1.signature'],
      });
    }
    await expect(outcome(a1.keysApi.resignWraps({ signatures: [{ keyId: first.keyId, signature: 'AAAA' }] }))).resolves.toEqual({
      status: 400,
      fields: ['signatures.0.signature'],
    });
    await expect(outcome(a1.keysApi.resignWraps({ signatures: [signedByA1(first), signedByA1(first)] }))).resolves.toEqual({
      status: 400,
      fields: ['signatures.1.keyId'],
    });
    await expect(outcome(a1.keysApi.resignWraps({ signatures: [] }))).resolves.toMatchObject({ status: 400, fields: ['signatures'] });
    expect((await wrapsOf(a1)).map((wrap) => wrap.signature)).toEqual([null, null, null, null]);
  });

  it('a member who holds no key of the current generation → 403', async () => {
    const [first] = await wrapsOf(a1);
    const byA2 = signDataKeyWrap(first, { entity: first.entity, recordId: first.recordId, writerUserId: a2.user.id }, a2.keys.signSecretKey);
    await expect(outcome(a2.keysApi.resignWraps({ signatures: [{ keyId: byA2.keyId, signature: byA2.signature }] }))).resolves.toMatchObject({
      status: 403,
    });
  });
});

describe('the re-signing flow', () => {
  it('signs exactly the wraps its caller confirms, as their writer, for the record each belongs to', async () => {
    const [pendingA2] = await pendingMembers(a1);
    await grantTo(a1, pendingA2, app.cast.members.contactA2.fingerprint);
    const declined = dataKeysA[0].keyId;
    const asked: string[] = [];
    const progress: ResignProgress[] = [];
    const signed = await resignWraps(
      a2,
      (wrap, dataKey) => {
        asked.push(wrap.keyId);
        // The flow hands over the key it opened: the caller checks the record with it.
        expect(dataKey.key).toEqual(dataKeysA.find((key) => key.keyId === wrap.keyId)?.key);
        return Promise.resolve(wrap.keyId !== declined);
      },
      (step) => progress.push(step),
    );
    expect(signed).toBe(3);
    expect(asked.sort()).toEqual(dataKeysA.map((key) => key.keyId).sort());
    expect(progress[progress.length - 1]).toEqual({ found: 4, signed: 3 });

    const wraps = await wrapsOf(a1);
    for (const wrap of wraps) {
      expect(wrap.recordId).toBe(recordOf.get(wrap.keyId));
      if (wrap.keyId === declined) {
        expect(wrap).toMatchObject({ writerUserId: null, signature: null });
      } else {
        expect(wrap.writerUserId).toBe(a2.user.id);
        expect(() => verifyDataKeyWrap(wrap, a2.keys.signPublicKey)).not.toThrow();
      }
    }
    const [b] = await querySql<{ signature: string | null }>(app.database.url, `SELECT signature FROM data_key_wraps WHERE scope_id = $1`, [
      app.cast.ids.embassyB,
    ]);
    expect(b.signature).toBeNull();
  });

  it('refuses to re-sign a wrap already signed (409), and asks nothing once all are signed', async () => {
    const signedWrap = (await wrapsOf(a1)).find((wrap) => wrap.signature !== null);
    if (signedWrap === undefined) throw new Error('no signed wrap');
    await expect(outcome(a1.keysApi.resignWraps({ signatures: [signedByA1(signedWrap)] }))).resolves.toMatchObject({
      status: 409,
      reason: 'already-signed',
    });
    await expect(resignWraps(a1, () => Promise.resolve(true))).resolves.toBe(1);
    const asked: string[] = [];
    await expect(resignWraps(a1, (wrap) => (asked.push(wrap.keyId), Promise.resolve(true)))).resolves.toBe(0);
    expect(asked).toEqual([]);
  });

  it('audits every re-signing, and every refused one', async () => {
    const rows = await querySql<{ outcome: string; actor_id: string; details: Record<string, unknown> }>(
      app.database.url,
      `SELECT outcome, actor_id, details FROM audit_events WHERE action = 'keys.wraps-resigned' AND scope_id = $1 ORDER BY id`,
      [app.cast.ids.embassyA],
    );
    expect(rows.filter((row) => row.outcome === 'SUCCESS').map((row) => [row.actor_id, row.details.wraps])).toEqual([
      [a2.user.id, 3],
      [a1.user.id, 1],
    ]);
    expect(rows.filter((row) => row.outcome === 'FAILURE').length).toBeGreaterThanOrEqual(7);
  });
});
