/**
 * User administration through the SDK: list (filters, pages) and read accounts without
 * any secret column; disable and enable; change role or scope. Disabling or re-roling
 * ends every session at once — the user's access token fails on its next request and
 * their refresh token cannot be exchanged — and leaving a scope removes the user's team
 * key grants. An administrator cannot disable or re-role themselves. Each change names the
 * account version it is based on; a stale one answers 409 conflict (stale-version) and changes
 * nothing.
 */
import { randomBytes } from 'node:crypto';
import type { EgideSession } from '../../src/client/egide-session';
import type { UserResponse } from '../../src/users/dto/user.response';
import { startCastApp, type CastApp, type CastKey } from '../support/cast';
import { querySql } from '../support/test-database';
import { auditRows, expectInvalidFields, expectProblem } from './admin-expectations';

let app: CastApp;
let admin: EgideSession;
const UNKNOWN_ID = '6f1c1a36-4d0c-4c55-9a3e-0b6a1d2c3e4f';
const USER_RESPONSE_KEYS = ['createdAt', 'displayName', 'email', 'fingerprint', 'id', 'lockedUntil', 'mfaEnabled', 'role', 'scope', 'status', 'version'];
const SECRET_WORDS = /hash|bundle|salt|totp|secret|seed|kdf|publickey|token|password|recovery/i;

beforeAll(async () => {
  app = await startCastApp();
  admin = await app.login('admin');
});

afterAll(async () => {
  await app.close();
});

function memberId(key: CastKey): string {
  return app.cast.members[key].userId;
}

/** The account's current version, as an administrator reads it before changing it. */
async function versionOf(key: CastKey): Promise<number> {
  return (await admin.admin.getUser(memberId(key))).version;
}

/** The refresh exchange, raw: the SDK session would replace its own token. */
function refreshWith(refreshToken: string): Promise<Response> {
  return app.request('/api/v1/auth/refresh', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refreshToken }),
  });
}

async function expectSessionEnded(session: EgideSession): Promise<void> {
  const refreshToken = session.currentRawRefreshToken;
  await expectProblem(session.auth.me(), 401);
  expect((await refreshWith(refreshToken)).status).toBe(401);
}

/** A team key generation for the scope and a grant of it to the user, as the keys routes would leave them. */
async function seedGrant(scopeId: string, recipient: CastKey, granter: CastKey): Promise<void> {
  const filler = (bytes: number): string => randomBytes(bytes).toString('base64url');
  await querySql(
    app.database.url,
    `INSERT INTO team_key_generations (scope_id, generation, scope_type, team_box_public_key, fingerprint, created_by)
     VALUES ($1, 1, 'EMBASSY', $2, $3, $4) ON CONFLICT DO NOTHING`,
    [scopeId, filler(32), filler(32), memberId(granter)],
  );
  await querySql(
    app.database.url,
    `INSERT INTO team_key_grants (scope_id, generation, recipient_id, granter_id, recipient_box_public_key, sealed_team_seed, signature)
     VALUES ($1, 1, $2, $3, $4, $5, $6)`,
    [scopeId, memberId(recipient), memberId(granter), filler(32), filler(80), filler(64)],
  );
}

async function grantCount(userId: string): Promise<number> {
  const rows = await querySql<{ count: string }>(app.database.url, `SELECT count(*) FROM team_key_grants WHERE recipient_id = $1`, [userId]);
  return Number(rows[0].count);
}

describe('reading accounts', () => {
  it('returns an account through the mapper, with no secret column', async () => {
    const user = await admin.admin.getUser(memberId('contactA1'));
    expect(user).toEqual({
      id: memberId('contactA1'),
      email: app.cast.members.contactA1.email,
      displayName: null,
      role: 'EMBASSY_CONTACT',
      scope: { type: 'EMBASSY', id: app.cast.ids.embassyA },
      status: 'ACTIVE',
      fingerprint: app.cast.members.contactA1.fingerprint,
      mfaEnabled: true,
      lockedUntil: null,
      createdAt: expect.any(String) as string,
      version: 1,
    });
    await expectProblem(admin.admin.getUser(UNKNOWN_ID), 404);
    await expectInvalidFields(admin.admin.getUser('42'), ['id']);
  });

  it('lists every account with exactly the public keys of the response, in stable pages', async () => {
    const all = await admin.admin.listUsers({ limit: 200 });
    expect(all.items).toHaveLength(Object.keys(app.cast.members).length);
    for (const item of all.items) {
      expect(Object.keys(item).sort()).toEqual(USER_RESPONSE_KEYS);
      expect(Object.keys(item.scope).sort()).toEqual(['id', 'type']);
    }
    expect(JSON.stringify(all)).not.toMatch(/\$argon2id/);
    expect(Object.keys(all.items[0]).join(' ')).not.toMatch(SECRET_WORDS);

    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await admin.admin.listUsers({ limit: 3, cursor });
      paged.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(paged).toEqual(all.items.map((item) => item.id));
  });

  it('filters by role, status, embassy and organisation', async () => {
    const ids = (page: { items: UserResponse[] }): string[] => page.items.map((item) => item.id).sort();
    expect(ids(await admin.admin.listUsers({ role: 'COORDINATOR' }))).toEqual([memberId('coordinator1'), memberId('coordinator2')].sort());
    expect(ids(await admin.admin.listUsers({ embassyId: app.cast.ids.embassyB }))).toEqual([memberId('contactB1'), memberId('contactB2')].sort());
    expect(ids(await admin.admin.listUsers({ organisationId: app.cast.ids.orgY }))).toEqual([memberId('ngoY1')]);
    expect(ids(await admin.admin.listUsers({ role: 'NGO', embassyId: app.cast.ids.embassyA }))).toEqual([]);
    expect(ids(await admin.admin.listUsers({ status: 'ACTIVE', role: 'AUDITOR' }))).toEqual([memberId('auditor')]);

    const unknownRole = { role: 'ROOT' } as unknown as Parameters<typeof admin.admin.listUsers>[0];
    await expectInvalidFields(admin.admin.listUsers(unknownRole), ['role']);
    const unknownStatus = { status: 'BANNED' } as unknown as Parameters<typeof admin.admin.listUsers>[0];
    await expectInvalidFields(admin.admin.listUsers(unknownStatus), ['status']);
    await expectInvalidFields(admin.admin.listUsers({ embassyId: 'embassy-a' }), ['embassyId']);
  });
});

describe('disabling and enabling', () => {
  it('ends every session of a disabled user at once, and lets them back after enabling', async () => {
    const first = await app.login('contactB2');
    const second = await app.login('contactB2');
    await expect(first.auth.me()).resolves.toEqual(expect.objectContaining({ id: memberId('contactB2') }));

    const before = await versionOf('contactB2');
    const disabled = await admin.admin.disableUser(memberId('contactB2'), { version: before });
    expect(disabled).toEqual(expect.objectContaining({ id: memberId('contactB2'), status: 'DISABLED', version: before + 1 }));
    await expectSessionEnded(first);
    await expectSessionEnded(second);
    await expectProblem(app.login('contactB2'), 401);
    expect((await admin.admin.listUsers({ status: 'DISABLED' })).items.map((item) => item.id)).toEqual([memberId('contactB2')]);

    const sessions = await querySql<{ open: string }>(
      app.database.url,
      `SELECT count(*) FILTER (WHERE revoked_at IS NULL) AS open FROM login_sessions WHERE user_id = $1`,
      [memberId('contactB2')],
    );
    expect(sessions[0].open).toBe('0');

    const again = await expectProblem(admin.admin.disableUser(memberId('contactB2'), { version: disabled.version }), 409);
    expect(again).toEqual(expect.objectContaining({ type: 'urn:egide:problem:conflict', currentStatus: 'DISABLED' }));

    const enabled = await admin.admin.enableUser(memberId('contactB2'), { version: disabled.version });
    expect(enabled).toEqual(expect.objectContaining({ status: 'ACTIVE', version: disabled.version + 1 }));
    await expectProblem(admin.admin.enableUser(memberId('contactB2'), { version: enabled.version }), 409);
    const back = await app.login('contactB2');
    await expect(back.auth.me()).resolves.toEqual(expect.objectContaining({ id: memberId('contactB2') }));

    expect(await auditRows(app.database.url, 'user.disabled', memberId('contactB2'))).toEqual([
      expect.objectContaining({
        actor_id: memberId('admin'),
        actor_role: 'ADMIN',
        target_type: 'user',
        scope_type: 'EMBASSY',
        scope_id: app.cast.ids.embassyB,
        outcome: 'SUCCESS',
      }),
    ]);
    expect(await auditRows(app.database.url, 'user.enabled', memberId('contactB2'))).toHaveLength(1);
  });

  it('answers 404 for an unknown account', async () => {
    await expectProblem(admin.admin.disableUser(UNKNOWN_ID, { version: 1 }), 404);
    await expectProblem(admin.admin.enableUser(UNKNOWN_ID, { version: 1 }), 404);
  });

  it('refuses a change based on a stale version with 409 conflict (stale-version), changing nothing', async () => {
    const current = await versionOf('auditor');
    const stale = await expectProblem(admin.admin.disableUser(memberId('auditor'), { version: current + 1 }), 409);
    expect(stale).toEqual(expect.objectContaining({ type: 'urn:egide:problem:conflict', reason: 'stale-version', currentVersion: current }));
    await expect(admin.admin.getUser(memberId('auditor'))).resolves.toEqual(expect.objectContaining({ status: 'ACTIVE', version: current }));
    expect(await auditRows(app.database.url, 'user.disabled', memberId('auditor'))).toEqual([]);
    const unversioned = {} as unknown as Parameters<typeof admin.admin.disableUser>[1];
    await expectInvalidFields(admin.admin.disableUser(memberId('auditor'), unversioned), ['version']);
  });

  it('refuses to let an administrator disable or re-role themselves', async () => {
    const own = await versionOf('admin');
    const problem = await expectProblem(admin.admin.disableUser(memberId('admin'), { version: own }), 409);
    expect(problem.type).toBe('urn:egide:problem:conflict');
    await expectProblem(admin.admin.changeUserRole(memberId('admin'), { role: 'AUDITOR', version: own }), 409);
    await expect(admin.auth.me()).resolves.toEqual(expect.objectContaining({ role: 'ADMIN' }));
  });
});

describe('changing role or scope', () => {
  it('moves a user to another embassy: sessions end, old grants go, the change is audited', async () => {
    await seedGrant(app.cast.ids.embassyA, 'contactA2', 'contactA1');
    await seedGrant(app.cast.ids.embassyA, 'contactA1', 'contactA1');
    expect(await grantCount(memberId('contactA2'))).toBe(1);
    const session = await app.login('contactA2');

    const before = await versionOf('contactA2');
    const moved = await admin.admin.changeUserRole(memberId('contactA2'), { role: 'EMBASSY_CONTACT', embassyId: app.cast.ids.embassyB, version: before });
    expect(moved).toEqual(expect.objectContaining({ role: 'EMBASSY_CONTACT', scope: { type: 'EMBASSY', id: app.cast.ids.embassyB }, version: before + 1 }));
    await expectSessionEnded(session);
    expect(await grantCount(memberId('contactA2'))).toBe(0);
    expect(await grantCount(memberId('contactA1'))).toBe(1);

    const again = await app.login('contactA2');
    await expect(again.auth.me()).resolves.toEqual(expect.objectContaining({ scope: { type: 'EMBASSY', id: app.cast.ids.embassyB } }));

    expect(await auditRows(app.database.url, 'user.role-changed', memberId('contactA2'))).toEqual([
      expect.objectContaining({
        actor_id: memberId('admin'),
        target_type: 'user',
        scope_type: 'EMBASSY',
        scope_id: app.cast.ids.embassyB,
        outcome: 'SUCCESS',
        details: {
          fromRole: 'EMBASSY_CONTACT',
          toRole: 'EMBASSY_CONTACT',
          fromScopeType: 'EMBASSY',
          fromScopeId: app.cast.ids.embassyA,
          grantsRemoved: 1,
        },
      }),
    ]);
  });

  it('changes a role: the session ends and the new role applies on the next sign-in', async () => {
    const session = await app.login('coordinator2');
    const changed = await admin.admin.changeUserRole(memberId('coordinator2'), { role: 'NGO', organisationId: app.cast.ids.orgX, version: await versionOf('coordinator2') });
    expect(changed).toEqual(expect.objectContaining({ role: 'NGO', scope: { type: 'ORGANISATION', id: app.cast.ids.orgX } }));
    await expectSessionEnded(session);
    const again = await app.login('coordinator2');
    await expect(again.auth.me()).resolves.toEqual(expect.objectContaining({ role: 'NGO' }));
    await expectProblem(again.admin.listUsers(), 403);
  });

  it('changes nothing, and ends no session, when asked for what the account already has', async () => {
    const session = await app.login('ngoY1');
    const version = await versionOf('ngoY1');
    const same = await admin.admin.changeUserRole(memberId('ngoY1'), { role: 'NGO', organisationId: app.cast.ids.orgY, version });
    expect(same.scope).toEqual({ type: 'ORGANISATION', id: app.cast.ids.orgY });
    expect(same.version).toBe(version);
    await expect(session.auth.me()).resolves.toEqual(expect.objectContaining({ id: memberId('ngoY1') }));
    expect(await auditRows(app.database.url, 'user.role-changed', memberId('ngoY1'))).toEqual([]);
  });

  it('refuses a role change based on a stale version with 409 conflict (stale-version), ending no session', async () => {
    const session = await app.login('coordinator1');
    const current = await versionOf('coordinator1');
    const stale = await expectProblem(admin.admin.changeUserRole(memberId('coordinator1'), { role: 'AUDITOR', version: current + 3 }), 409);
    expect(stale).toEqual(expect.objectContaining({ type: 'urn:egide:problem:conflict', reason: 'stale-version', currentVersion: current }));
    await expect(session.auth.me()).resolves.toEqual(expect.objectContaining({ role: 'COORDINATOR' }));
    expect(await auditRows(app.database.url, 'user.role-changed', memberId('coordinator1'))).toEqual([]);
  });

  it('validates the new role and scope, naming the field, and changes nothing then', async () => {
    const id = memberId('ngoX1');
    const version = await versionOf('ngoX1');
    await expectInvalidFields(admin.admin.changeUserRole(id, { role: 'EMBASSY_CONTACT', version }), ['embassyId']);
    await expectInvalidFields(admin.admin.changeUserRole(id, { role: 'COORDINATOR', organisationId: app.cast.ids.orgX, version }), ['organisationId']);
    await expectInvalidFields(admin.admin.changeUserRole(id, { role: 'NGO', organisationId: UNKNOWN_ID, version }), ['organisationId']);
    await expectInvalidFields(admin.admin.changeUserRole(id, { role: 'EMBASSY_CONTACT', embassyId: UNKNOWN_ID, version }), ['embassyId']);
    const unknownRole = { role: 'OWNER', version } as unknown as Parameters<typeof admin.admin.changeUserRole>[1];
    await expectInvalidFields(admin.admin.changeUserRole(id, unknownRole), ['role']);
    const unversioned = { role: 'AUDITOR' } as unknown as Parameters<typeof admin.admin.changeUserRole>[1];
    await expectInvalidFields(admin.admin.changeUserRole(id, unversioned), ['version']);
    await expectProblem(admin.admin.changeUserRole(UNKNOWN_ID, { role: 'AUDITOR', version: 1 }), 404);
    await expect(admin.admin.getUser(id)).resolves.toEqual(expect.objectContaining({ role: 'NGO', scope: { type: 'ORGANISATION', id: app.cast.ids.orgX } }));
  });
});
