/**
 * Key directory and team keys through the real server and SDK: generation 1, the
 * pending list, grants (version 2, vouching for the recipient's sign key) and their
 * opening, every forged or version-1 grant the server must refuse, isolation between
 * scopes, the directory's scope and the grants it shows, and the audit rows of each write.
 */
import { randomUUID } from 'node:crypto';
import sodium from 'libsodium-wrappers-sumo';
import { EgideApiError } from '../../src/client/http-client';
import type { EgideSession } from '../../src/client/egide-session';
import type { KeysApi } from '../../src/client/keys-api';
import {
  FingerprintMismatchError,
  bootstrapTeam,
  grantTo,
  openMyTeamKeys,
  pendingMembers,
} from '../../src/client/team-keys-flow';
import { createTeam, grantTeamSeed, teamPublicKeyFromGrant, type TeamKeys } from '../../src/client/crypto';
import { fromBase64Url, toBase64Url } from '../../src/crypto/binary-encoding';
import { teamKeyFingerprint } from '../../src/crypto/fingerprint';
import { readyCrypto } from '../../src/crypto/protocol-hash';
import { encodeTeamKeyGrantMessage, type TeamKeyGrant } from '../../src/crypto/team-grant-payload';
import { startCastApp, type CastApp, type CastKey } from '../support/cast';
import { querySql } from '../support/test-database';

let app: CastApp;
const sessions = new Map<CastKey, EgideSession>();
let teamA: TeamKeys;

function session(key: CastKey): EgideSession {
  const found = sessions.get(key);
  if (found === undefined) throw new Error(`${key} is not signed in`);
  return found;
}

function api(key: CastKey): KeysApi {
  return session(key).keysApi;
}

/** The HTTP status a call ends with, and the problem's field names when it failed. */
async function outcome(call: Promise<unknown>): Promise<{ status: number; fields: string[] }> {
  try {
    await call;
    return { status: 200, fields: [] };
  } catch (error) {
    if (!(error instanceof EgideApiError)) throw error;
    return { status: error.status, fields: (error.problem.errors ?? []).map((e) => e.field) };
  }
}

function signer(key: CastKey): { userId: string; signSecretKey: Uint8Array } {
  return { userId: session(key).user.id, signSecretKey: session(key).keys.signSecretKey };
}

function recipient(key: CastKey): { userId: string; boxPublicKey: Uint8Array; signPublicKey: Uint8Array } {
  return { userId: session(key).user.id, boxPublicKey: session(key).keys.boxPublicKey, signPublicKey: session(key).keys.signPublicKey };
}

/** The same grant as protocol 1 made it (version 1, no recipient sign key), signed by `granter`. */
function asVersion1(grant: TeamKeyGrant, granter: CastKey): TeamKeyGrant {
  const { recipientSignPublicKey: _dropped, signature: _old, ...rest } = grant;
  const unsigned = { ...rest, version: 1 as const };
  return { ...unsigned, signature: toBase64Url(sodium.crypto_sign_detached(encodeTeamKeyGrantMessage(unsigned), signer(granter).signSecretKey)) };
}

beforeAll(async () => {
  await readyCrypto();
  app = await startCastApp();
  for (const key of ['contactA1', 'contactA2', 'contactB1', 'contactB2', 'ngoX1', 'admin'] as const) {
    sessions.set(key, await app.login(key));
  }
});

afterAll(async () => {
  await app.close();
});

describe('generation 1', () => {
  it('has no team before the first member creates it', async () => {
    await expect(outcome(api('contactA1').pendingMembers())).resolves.toEqual({ status: 404, fields: [] });
    await expect(outcome(api('ngoX1').teamKey(app.cast.ids.embassyA))).resolves.toEqual({ status: 404, fields: [] });
  });

  it('is created by the first member, sealed to and signed by themself', async () => {
    const created = await bootstrapTeam(session('contactA1'));
    teamA = created.team;
    expect(created.response).toMatchObject({
      scopeId: app.cast.ids.embassyA,
      scopeType: 'EMBASSY',
      generation: 1,
      teamBoxPublicKey: toBase64Url(teamA.boxPublicKey),
      fingerprint: teamKeyFingerprint(app.cast.ids.embassyA, 1, teamA.boxPublicKey),
    });
    const opened = await openMyTeamKeys(session('contactA1'));
    expect(opened.current.boxPublicKey).toEqual(teamA.boxPublicKey);
    expect(opened.history).toHaveLength(1);
  });

  it('is refused a second time (409), by another member too', async () => {
    await expect(bootstrapTeam(session('contactA2'))).rejects.toMatchObject({ status: 409 });
    await expect(bootstrapTeam(session('contactA1'))).rejects.toMatchObject({ status: 409 });
  });

  it('lets exactly one of two simultaneous creations through', async () => {
    const results = await Promise.all([outcome(bootstrapTeam(session('ngoX1'))), outcome(bootstrapTeam(session('ngoX1')))]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
  });

  it('refuses a creator grant for another scope, another recipient or a mismatched key', async () => {
    const b1 = session('contactB1');
    const foreign = createTeam(app.cast.ids.embassyA);
    const foreignGrant = grantTeamSeed(foreign, recipient('contactB1'), signer('contactB1'));
    await expect(outcome(api('contactB1').createTeam({ teamBoxPublicKey: foreignGrant.teamBoxPublicKey, grant: foreignGrant }))).resolves.toEqual({
      status: 404,
      fields: [],
    });
    const own = createTeam(app.cast.ids.embassyB);
    const toOther = grantTeamSeed(own, recipient('contactB2'), signer('contactB1'));
    await expect(outcome(api('contactB1').createTeam({ teamBoxPublicKey: toOther.teamBoxPublicKey, grant: toOther }))).resolves.toEqual({
      status: 400,
      fields: ['grant.recipientUserId'],
    });
    const good = grantTeamSeed(own, recipient('contactB1'), signer('contactB1'));
    await expect(
      outcome(api('contactB1').createTeam({ teamBoxPublicKey: toBase64Url(createTeam(app.cast.ids.embassyB).boxPublicKey), grant: good })),
    ).resolves.toEqual({ status: 400, fields: ['grant.teamBoxPublicKey'] });
    await expect(outcome(api('contactB1').createTeam({ teamBoxPublicKey: good.teamBoxPublicKey, grant: asVersion1(good, 'contactB1') }))).resolves.toEqual({
      status: 400,
      fields: ['grant.version'],
    });
    const otherSignKey = grantTeamSeed(own, { ...recipient('contactB1'), signPublicKey: session('contactB2').keys.signPublicKey }, signer('contactB1'));
    await expect(outcome(api('contactB1').createTeam({ teamBoxPublicKey: otherSignKey.teamBoxPublicKey, grant: otherSignKey }))).resolves.toEqual({
      status: 400,
      fields: ['grant.recipientSignPublicKey'],
    });
    expect(b1.user.scope.id).toBe(app.cast.ids.embassyB);
  });
});

describe('grants', () => {
  it('lists the members of my scope who lack the current generation, with their fingerprints', async () => {
    const pending = await pendingMembers(session('contactA1'));
    expect(pending).toEqual([
      {
        userId: app.cast.members.contactA2.userId,
        role: 'EMBASSY_CONTACT',
        boxPublicKey: toBase64Url(session('contactA2').keys.boxPublicKey),
        signPublicKey: toBase64Url(session('contactA2').keys.signPublicKey),
        fingerprint: app.cast.members.contactA2.fingerprint,
        email: app.cast.members.contactA2.email,
        displayName: null,
        scopeName: 'Embassy A',
      },
    ]);
  });

  it('refuses to grant when the fingerprint the user confirmed does not match', async () => {
    const [a2] = await pendingMembers(session('contactA1'));
    await expect(grantTo(session('contactA1'), a2, '00000 00000 00000 00000 00000 00000 00000 00000')).rejects.toBeInstanceOf(
      FingerprintMismatchError,
    );
    await expect(grantTo(session('contactA1'), { ...a2, fingerprint: '00000 00000 00000 00000 00000 00000 00000 00000' }, '00000 00000 00000 00000 00000 00000 00000 00000')).rejects.toBeInstanceOf(
      FingerprintMismatchError,
    );
  });

  describe('forged or misdirected grants are refused', () => {
    function validGrant(): TeamKeyGrant {
      return grantTeamSeed(teamA, recipient('contactA2'), signer('contactA1'));
    }

    it('a bad signature → 400 signature', async () => {
      const grant = validGrant();
      const signature = fromBase64Url(grant.signature);
      signature[0] ^= 1;
      await expect(outcome(api('contactA1').createGrant({ ...grant, signature: toBase64Url(signature) }))).resolves.toEqual({
        status: 400,
        fields: ['signature'],
      });
    });

    it('a grant altered after signing → 400 signature', async () => {
      const other = grantTeamSeed(teamA, recipient('contactA2'), signer('contactA1'));
      await expect(outcome(api('contactA1').createGrant({ ...validGrant(), sealedTeamSeed: other.sealedTeamSeed }))).resolves.toEqual({
        status: 400,
        fields: ['signature'],
      });
    });

    it('a signer who is not the caller → 400 granterUserId', async () => {
      // A2 passes off a grant as A1's (signed with A2's key, or replaying A1's own).
      const asA1 = grantTeamSeed(teamA, recipient('contactA2'), { ...signer('contactA2'), userId: app.cast.members.contactA1.userId });
      await expect(outcome(api('contactA2').createGrant(asA1))).resolves.toEqual({ status: 400, fields: ['granterUserId'] });
      await expect(outcome(api('contactA2').createGrant(validGrant()))).resolves.toEqual({ status: 400, fields: ['granterUserId'] });
    });

    it('a signer without a grant of the generation → 403', async () => {
      const selfMade = grantTeamSeed(teamA, recipient('contactA2'), signer('contactA2'));
      await expect(outcome(api('contactA2').createGrant(selfMade))).resolves.toEqual({ status: 403, fields: [] });
    });

    it('a recipient of another scope → 404', async () => {
      const toB1 = grantTeamSeed(teamA, recipient('contactB1'), signer('contactA1'));
      await expect(outcome(api('contactA1').createGrant(toB1))).resolves.toEqual({ status: 404, fields: [] });
    });

    it('an admin as recipient → 404: admins never hold a scope key', async () => {
      const toAdmin = grantTeamSeed(teamA, recipient('admin'), signer('contactA1'));
      await expect(outcome(api('contactA1').createGrant(toAdmin))).resolves.toEqual({ status: 404, fields: [] });
    });

    it("a seed sealed to a key that is not the recipient's registered one → 400 recipientBoxPublicKey", async () => {
      const substitute = grantTeamSeed(teamA, { ...recipient('contactA2'), boxPublicKey: session('contactB2').keys.boxPublicKey }, signer('contactA1'));
      await expect(outcome(api('contactA1').createGrant(substitute))).resolves.toEqual({ status: 400, fields: ['recipientBoxPublicKey'] });
    });

    it("a grant vouching for a sign key that is not the recipient's registered one → 400 recipientSignPublicKey", async () => {
      const substitute = grantTeamSeed(teamA, { ...recipient('contactA2'), signPublicKey: session('contactB2').keys.signPublicKey }, signer('contactA1'));
      await expect(outcome(api('contactA1').createGrant(substitute))).resolves.toEqual({ status: 400, fields: ['recipientSignPublicKey'] });
    });

    it('a version-1 grant (no recipient sign key) → 400 version, however well signed', async () => {
      await expect(outcome(api('contactA1').createGrant(asVersion1(validGrant(), 'contactA1')))).resolves.toEqual({ status: 400, fields: ['version'] });
      const { recipientSignPublicKey: _dropped, ...withoutSignKey } = validGrant();
      await expect(outcome(api('contactA1').createGrant(withoutSignKey))).resolves.toEqual({ status: 400, fields: ['recipientSignPublicKey'] });
    });

    it("a team key that is not the generation's → 400 teamBoxPublicKey", async () => {
      const otherTeam = { ...createTeam(app.cast.ids.embassyA), generation: 1 };
      const grant = grantTeamSeed(otherTeam, recipient('contactA2'), signer('contactA1'));
      await expect(outcome(api('contactA1').createGrant(grant))).resolves.toEqual({ status: 400, fields: ['teamBoxPublicKey'] });
    });

    it('a generation that is not the current one → 409; a malformed grant → 400', async () => {
      const future = grantTeamSeed({ ...teamA, generation: 2 }, recipient('contactA2'), signer('contactA1'));
      await expect(outcome(api('contactA1').createGrant(future))).resolves.toEqual({ status: 409, fields: [] });
      await expect(outcome(api('contactA1').createGrant({ ...validGrant(), sealedTeamSeed: 'AAAA' }))).resolves.toEqual({
        status: 400,
        fields: ['grant'],
      });
    });

    it("a grant into another scope's team → 404", async () => {
      const intoA = grantTeamSeed(teamA, recipient('contactA2'), signer('contactB1'));
      await expect(outcome(api('contactB1').createGrant(intoA))).resolves.toEqual({ status: 404, fields: [] });
    });
  });

  it('grants to a member whose fingerprint was confirmed; the member opens it', async () => {
    const [a2] = await pendingMembers(session('contactA1'));
    // What the newcomer read out over the phone, spaced their own way.
    await grantTo(session('contactA1'), a2, app.cast.members.contactA2.fingerprint.replace(/ /g, ''));
    const opened = await openMyTeamKeys(session('contactA2'));
    expect(opened.current.generation).toBe(1);
    expect(opened.current.boxPublicKey).toEqual(teamA.boxPublicKey);
    expect(opened.current.seed).toEqual(teamA.seed);
    await expect(pendingMembers(session('contactA1'))).resolves.toEqual([]);
    const stored = await querySql<{ version: number; recipient_sign_public_key: string | null }>(
      app.database.url,
      `SELECT version, recipient_sign_public_key FROM team_key_grants WHERE recipient_id = $1`,
      [app.cast.members.contactA2.userId],
    );
    expect(stored).toEqual([{ version: 2, recipient_sign_public_key: toBase64Url(session('contactA2').keys.signPublicKey) }]);
  });

  it('refuses a second grant of the same generation to the same member (409)', async () => {
    const again = grantTeamSeed(teamA, recipient('contactA2'), signer('contactA1'));
    await expect(outcome(api('contactA1').createGrant(again))).resolves.toEqual({ status: 409, fields: [] });
  });
});

describe('scopes stay apart', () => {
  it("B's contacts see neither A's pending members nor A's grants", async () => {
    await expect(outcome(api('contactB1').pendingMembers())).resolves.toEqual({ status: 404, fields: [] });
    await expect(outcome(api('contactB1').myTeamKeys())).resolves.toEqual({ status: 404, fields: [] });
    await bootstrapTeam(session('contactB1'));
    const pendingB = await pendingMembers(session('contactB1'));
    expect(pendingB.map((member) => member.userId)).toEqual([app.cast.members.contactB2.userId]);
    const mineB = await api('contactB1').myTeamKeys();
    expect(mineB.scopeId).toBe(app.cast.ids.embassyB);
    expect(mineB.grants.map((held) => held.grant.scopeId)).toEqual([app.cast.ids.embassyB]);
  });

  it('admins and auditors may not call the key routes (403)', async () => {
    await expect(outcome(api('admin').userKeys(app.cast.members.contactA1.userId))).resolves.toEqual({ status: 403, fields: [] });
    await expect(outcome(api('admin').myTeamKeys())).resolves.toEqual({ status: 403, fields: [] });
  });
});

describe('key directory', () => {
  it("answers for any key-holding member (grants only within the caller's scope), and 404 for an admin or no one", async () => {
    const a2 = await api('contactA1').userKeys(app.cast.members.contactA2.userId);
    expect(a2).toEqual({
      userId: app.cast.members.contactA2.userId,
      role: 'EMBASSY_CONTACT',
      active: true,
      boxPublicKey: toBase64Url(session('contactA2').keys.boxPublicKey),
      signPublicKey: toBase64Url(session('contactA2').keys.signPublicKey),
      fingerprint: app.cast.members.contactA2.fingerprint,
      email: app.cast.members.contactA2.email,
      displayName: null,
      scopeId: app.cast.ids.embassyA,
      scopeName: 'Embassy A',
      grants: a2.grants,
    });
    // A member of another scope: keys and name (a reader compares its fingerprint), none of its grants.
    await expect(api('contactA1').userKeys(app.cast.members.contactB1.userId)).resolves.toMatchObject({
      userId: app.cast.members.contactB1.userId,
      scopeId: app.cast.ids.embassyB,
      fingerprint: app.cast.members.contactB1.fingerprint,
      grants: [],
    });
    for (const other of [app.cast.members.admin.userId, app.cast.members.auditor.userId, randomUUID()]) {
      await expect(outcome(api('contactA1').userKeys(other))).resolves.toEqual({ status: 404, fields: [] });
    }
    await expect(outcome(api('contactA1').userKeys('not-a-uuid'))).resolves.toEqual({ status: 400, fields: ['userId'] });
  });

  it("shows a member's grants in the caller's scope, which a reader verifies back to a granter it trusts", async () => {
    const { grants } = await api('contactA1').userKeys(app.cast.members.contactA2.userId);
    expect(grants).toHaveLength(1);
    const [held] = grants;
    expect(held.grant).toMatchObject({
      version: 2,
      scopeId: app.cast.ids.embassyA,
      generation: 1,
      recipientUserId: app.cast.members.contactA2.userId,
      recipientSignPublicKey: toBase64Url(session('contactA2').keys.signPublicKey),
      granterUserId: app.cast.members.contactA1.userId,
    });
    expect(held).toMatchObject({ granterSignPublicKey: toBase64Url(session('contactA1').keys.signPublicKey), granterFingerprint: app.cast.members.contactA1.fingerprint });
    expect(teamPublicKeyFromGrant(held.grant, session('contactA1').keys.signPublicKey).boxPublicKey).toEqual(teamA.boxPublicKey);
    // B2, not granted in embassy B yet, has none to show.
    await expect(api('contactB1').userKeys(app.cast.members.contactB2.userId)).resolves.toMatchObject({ grants: [] });
  });

  it("gives any scope's team key with a member-signed grant that vouches for it", async () => {
    const embassyA = await api('ngoX1').teamKey(app.cast.ids.embassyA);
    expect(embassyA).toMatchObject({ scopeId: app.cast.ids.embassyA, generation: 1, teamBoxPublicKey: toBase64Url(teamA.boxPublicKey) });
    if (embassyA.signedBy === null) throw new Error('no signed grant returned');
    expect(embassyA.signedBy.grant.granterUserId).toBe(app.cast.members.contactA1.userId);
    const vouched = teamPublicKeyFromGrant(embassyA.signedBy.grant, fromBase64Url(embassyA.signedBy.granterSignPublicKey));
    expect(vouched.boxPublicKey).toEqual(teamA.boxPublicKey);
    await expect(outcome(api('ngoX1').teamKey(app.cast.ids.orgY))).resolves.toEqual({ status: 404, fields: [] });
  });
});

it('writes an audit row with every key write, and one for every refused grant', async () => {
  const rows = await querySql<{ action: string; outcome: string; scope_id: string; actor_id: string; details: Record<string, unknown> }>(
    app.database.url,
    `SELECT action, outcome, scope_id, actor_id, details FROM audit_events WHERE action LIKE 'keys.%' ORDER BY id`,
  );
  const success = rows.filter((row) => row.outcome === 'SUCCESS').map((row) => `${row.action} ${row.scope_id}`);
  expect(success).toEqual([
    `keys.team-created ${app.cast.ids.embassyA}`,
    `keys.team-created ${app.cast.ids.orgX}`,
    `keys.grant-created ${app.cast.ids.embassyA}`,
    `keys.team-created ${app.cast.ids.embassyB}`,
  ]);
  const refusedGrants = rows.filter((row) => row.action === 'keys.grant-created' && row.outcome === 'FAILURE');
  expect(refusedGrants.map((row) => row.details.reason)).toContain('validation-failed');
  expect(refusedGrants.map((row) => row.details.field)).toContain('signature');
  expect(refusedGrants.length).toBeGreaterThanOrEqual(10);
});
