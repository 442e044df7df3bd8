/**
 * The keyring service as sealed-record features call it, on the real server's database:
 * wraps of any entity written for the current generation only (the check is in the
 * inserting statement), signed by the writer, read back newest first, sealed to a second
 * scope, moved and shredded; and the generation lock — a rotation's start waits for a
 * writer holding the current generation FOR SHARE, and a writer after it finds the
 * generation stale.
 */
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import type { EgideSession } from '../../src/client/egide-session';
import { generateDataKey, sealDataKeyToTeam, signDataKeyWrap, type TeamKeys } from '../../src/client/crypto';
import { bootstrapTeam, grantTo, pendingMembers, rotateTeam } from '../../src/client/team-keys-flow';
import type { TeamScopeId } from '../../src/common/authz/scope';
import { ProblemException } from '../../src/common/http/problem';
import type { SignedDataKeyWrap } from '../../src/crypto/data-key-wrap-payload';
import { readyCrypto } from '../../src/crypto/protocol-hash';
import { currentGenerationCte } from '../../src/keys/keyring.statements';
import { KeyringService } from '../../src/keys/keyring.service';
import { startCastApp, type CastApp } from '../support/cast';
import { querySql } from '../support/test-database';

let app: CastApp;
let a1: EgideSession;
let a2: EgideSession;
let b1: EgideSession;
let teamA: TeamKeys;
let teamB: TeamKeys;
let keyring: KeyringService;
let dataSource: DataSource;
let embassyA: TeamScopeId;
let embassyB: TeamScopeId;

function wrapFor(team: TeamKeys, writer: EgideSession, entity: string, recordId: string, keyId?: string): SignedDataKeyWrap {
  const dataKey = generateDataKey();
  const sealed = sealDataKeyToTeam(keyId === undefined ? dataKey : { ...dataKey, keyId }, team);
  return signDataKeyWrap(sealed, { entity, recordId, writerUserId: writer.user.id }, writer.keys.signSecretKey);
}

async function refusal(work: Promise<unknown>): Promise<{ code: string; reason?: unknown; fields: string[] }> {
  try {
    await work;
  } catch (error) {
    if (!(error instanceof ProblemException)) throw error;
    return { code: error.code, reason: error.extensions.reason, fields: error.fieldErrors.map((entry) => entry.field) };
  }
  throw new Error('expected a refusal');
}

async function write(scope: TeamScopeId, writer: EgideSession, wraps: readonly SignedDataKeyWrap[]): Promise<void> {
  await dataSource.transaction(async (manager) => {
    const key = await keyring.memberSignKey(manager, embassyA, writer.user.id);
    await keyring.writeWraps(manager, scope, key, wraps.map((wrap, index) => ({ at: `wraps.${index}`, wrap })));
  });
}

beforeAll(async () => {
  await readyCrypto();
  app = await startCastApp();
  [a1, a2, b1] = [await app.login('contactA1'), await app.login('contactA2'), await app.login('contactB1')];
  teamA = (await bootstrapTeam(a1)).team;
  const [pendingA2] = await pendingMembers(a1);
  await grantTo(a1, pendingA2, app.cast.members.contactA2.fingerprint);
  teamB = (await bootstrapTeam(b1)).team;
  keyring = app.server.app.get(KeyringService);
  dataSource = app.server.app.get(DataSource);
  embassyA = app.cast.ids.embassyA.toLowerCase() as TeamScopeId;
  embassyB = app.cast.ids.embassyB.toLowerCase() as TeamScopeId;
});

afterAll(async () => {
  await app.close();
});

describe('writing and reading wraps', () => {
  it('writes wraps of any entity for the current generation and reads the caller’s back, one or many', async () => {
    const recordIds = [randomUUID(), randomUUID()];
    const wraps = recordIds.map((id) => wrapFor(teamA, a1, 'visa_request', id));
    await write(embassyA, a1, wraps);
    const one = await keyring.readWrap(dataSource.manager, embassyA, { entity: 'visa_request', recordId: recordIds[0].toUpperCase() });
    expect(one).toMatchObject({ keyId: wraps[0].keyId, generation: 1, sealed: wraps[0].sealed, writerUserId: a1.user.id, signature: wraps[0].signature });
    expect(one?.writer?.fingerprint).toBe(app.cast.members.contactA1.fingerprint);
    const many = await keyring.readWraps(dataSource.manager, embassyA, 'visa_request', [...recordIds, randomUUID()]);
    expect([...many.keys()].sort()).toEqual([...recordIds].sort());
    // Another scope reads nothing of them; another entity name is another record.
    await expect(keyring.readWrap(dataSource.manager, embassyB, { entity: 'visa_request', recordId: recordIds[0] })).resolves.toBeUndefined();
    await expect(keyring.readWrap(dataSource.manager, embassyA, { entity: 'case', recordId: recordIds[0] })).resolves.toBeUndefined();
  });

  it('refuses a wrap not signed by the writer, sealed to another scope, of a stale generation, or twice', async () => {
    const wrap = wrapFor(teamA, a1, 'case', randomUUID());
    const byA2 = signDataKeyWrap(wrap, { entity: 'case', recordId: wrap.recordId, writerUserId: a1.user.id }, a2.keys.signSecretKey);
    await expect(refusal(write(embassyA, a1, [byA2]))).resolves.toEqual({ code: 'validation-failed', reason: undefined, fields: ['wraps.0.signature'] });
    await expect(refusal(write(embassyB, a1, [wrap]))).resolves.toMatchObject({ fields: ['wraps.0.scopeId'] });
    const stale = signDataKeyWrap({ ...wrap, generation: 7 }, { entity: 'case', recordId: wrap.recordId, writerUserId: a1.user.id }, a1.keys.signSecretKey);
    await expect(refusal(write(embassyA, a1, [stale]))).resolves.toMatchObject({ code: 'conflict', reason: 'stale-generation' });
    await write(embassyA, a1, [wrap]);
    await expect(refusal(write(embassyA, a1, [wrap]))).resolves.toMatchObject({ code: 'conflict', reason: 'already-exists' });
  });

  it('checks a wrap’s binding before any database work, naming the field', () => {
    const wrap = wrapFor(teamA, a1, 'placement', randomUUID());
    const expected = { entity: 'placement', recordId: wrap.recordId, keyId: wrap.keyId, scope: embassyA, writerUserId: a1.user.id };
    expect(() => keyring.checkWrap('wrap', wrap, expected)).not.toThrow();
    const fieldOf = (change: Partial<typeof expected>): string | undefined => {
      try {
        keyring.checkWrap('wrap', wrap, { ...expected, ...change });
      } catch (error) {
        return (error as ProblemException).fieldErrors[0]?.field;
      }
      return undefined;
    };
    expect(fieldOf({ recordId: randomUUID() })).toBe('wrap.recordId');
    expect(fieldOf({ entity: 'case' })).toBe('wrap.entity');
    expect(fieldOf({ keyId: randomUUID() })).toBe('wrap.keyId');
    expect(fieldOf({ scope: embassyB })).toBe('wrap.scopeId');
    expect(fieldOf({ writerUserId: a2.user.id })).toBe('wrap.writerUserId');
  });
});

describe('records sealed to two scopes, moves and shreds', () => {
  it('seals to a receiving scope checked to hold a team (404 otherwise), and shreds every scope’s wrap at once', async () => {
    const recordId = randomUUID();
    const own = wrapFor(teamA, a1, 'visa_request', recordId);
    const toB = signDataKeyWrap({ ...sealDataKeyToTeam(generateDataKey(), teamB), keyId: own.keyId }, { entity: 'visa_request', recordId, writerUserId: a1.user.id }, a1.keys.signSecretKey);
    await dataSource.transaction(async (manager) => {
      const key = await keyring.memberSignKey(manager, embassyA, a1.user.id);
      const receiving = await keyring.receivingScope(manager, embassyB, 'EMBASSY', 'embassy');
      expect(receiving).toEqual({ scope: embassyB, scopeType: 'EMBASSY', generation: 1 });
      await keyring.writeWraps(manager, embassyA, key, [{ at: 'wraps.0', wrap: own }]);
      await keyring.writeWraps(manager, receiving.scope, key, [{ at: 'wraps.1', wrap: toB }]);
    });
    await expect(refusal(dataSource.transaction((manager) => keyring.receivingScope(manager, embassyB, 'NETWORK', 'network')))).resolves.toMatchObject({
      code: 'not-found',
    });
    await expect(refusal(dataSource.transaction((manager) => keyring.receivingScope(manager, randomUUID(), undefined, 'scope')))).resolves.toMatchObject({ code: 'not-found' });
    await expect(keyring.readWrap(dataSource.manager, embassyB, { entity: 'visa_request', recordId })).resolves.toMatchObject({ generation: 1 });
    // B cannot shred through A's wrap-less record; A shreds both.
    await expect(dataSource.transaction((manager) => keyring.shredWraps(manager, embassyB, { entity: 'visa_request', recordId: randomUUID() }))).resolves.toBe(0);
    await expect(dataSource.transaction((manager) => keyring.shredWraps(manager, embassyA, { entity: 'visa_request', recordId }, [embassyB]))).resolves.toBe(2);
    const left = await querySql(app.database.url, `SELECT 1 FROM data_key_wraps WHERE record_id = $1`, [recordId]);
    expect(left).toEqual([]);
  });

  it('moves a record: the sender’s wraps go, the receiver’s comes, in one transaction', async () => {
    const recordId = randomUUID();
    const own = wrapFor(teamA, a1, 'case', recordId);
    await write(embassyA, a1, [own]);
    const toB = signDataKeyWrap({ ...sealDataKeyToTeam(generateDataKey(), teamB), keyId: own.keyId }, { entity: 'case', recordId, writerUserId: a1.user.id }, a1.keys.signSecretKey);
    const deleted = await dataSource.transaction(async (manager) => {
      const key = await keyring.memberSignKey(manager, embassyA, a1.user.id);
      const receiving = await keyring.receivingScope(manager, embassyB, 'EMBASSY', 'embassy');
      return keyring.moveWraps(manager, embassyA, { entity: 'case', recordId }, receiving, key, { at: 'wrap', wrap: toB });
    });
    expect(deleted).toBe(1);
    await expect(keyring.readWrap(dataSource.manager, embassyA, { entity: 'case', recordId })).resolves.toBeUndefined();
    await expect(keyring.readWrap(dataSource.manager, embassyB, { entity: 'case', recordId })).resolves.toMatchObject({ keyId: own.keyId });
  });
});

describe('the generation lock', () => {
  it('a rotation waits for a writer holding the current generation; a writer after it finds generation 1 stale', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked: () => void = () => undefined;
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const order: string[] = [];
    const writer = dataSource.transaction(async (manager: EntityManager) => {
      await keyring.assertCurrentGeneration(manager, embassyA, 1);
      locked();
      await held;
      // The building block a single-statement creation uses: it inserts only under the current generation.
      const rows = (await manager.query(
        `WITH current_generation AS (${currentGenerationCte('$1')}) SELECT generation FROM current_generation WHERE generation = $2`,
        [embassyA, 1],
      )) as unknown[];
      order.push(`writer saw ${rows.length}`);
      await manager.query(`SELECT pg_sleep(0.3)`);
      order.push('writer committed');
    });
    await isLocked;
    const rotation = rotateTeam(a1, () => undefined, () => Promise.resolve(true)).then(() => order.push('rotated'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    release();
    await Promise.all([writer, rotation]);
    expect(order).toEqual(['writer saw 1', 'writer committed', 'rotated']);
    await expect(refusal(write(embassyA, a1, [wrapFor(teamA, a1, 'case', randomUUID())]))).resolves.toMatchObject({ code: 'conflict', reason: 'stale-generation' });
    await expect(dataSource.transaction((manager) => keyring.currentGeneration(manager, embassyA))).resolves.toBe(2);
  });
});
