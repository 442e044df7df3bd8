/**
 * Invitations through the SDK: the code is shown once and works for enrolment; role and
 * scope must agree (400 naming the field); unknown embassies and organisations are
 * named; open invitations are listed without code or hash; a withdrawn code cannot be
 * spent. Each write leaves its audit event, which never carries the code.
 */
import type { EgideSession } from '../../src/client/egide-session';
import { startCastApp, type CastApp } from '../support/cast';
import { querySql } from '../support/test-database';
import { auditRows, expectInvalidFields, expectProblem } from './admin-expectations';

let app: CastApp;
let admin: EgideSession;
const UNKNOWN_ID = '6f1c1a36-4d0c-4c55-9a3e-0b6a1d2c3e4f';

beforeAll(async () => {
  app = await startCastApp();
  admin = await app.login('admin');
});

afterAll(async () => {
  await app.close();
});

it('issues an invitation whose code is shown once and enrols the invitee', async () => {
  const invitation = await admin.admin.invite({ email: 'New.Contact@Embassy.example', role: 'EMBASSY_CONTACT', embassyId: app.cast.ids.embassyA });
  expect(invitation).toEqual({
    id: expect.any(String) as string,
    code: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) as string,
    email: 'new.contact@embassy.example',
    displayName: null,
    role: 'EMBASSY_CONTACT',
    scope: { type: 'EMBASSY', id: app.cast.ids.embassyA },
    expiresAt: expect.any(String) as string,
    // Nobody of embassy A has created its team in this file.
    scopeHasTeam: false,
  });

  const open = await admin.admin.listInvitations();
  const listed = open.items.find((item) => item.id === invitation.id);
  expect(listed).toEqual({
    id: invitation.id,
    email: 'new.contact@embassy.example',
    displayName: null,
    role: 'EMBASSY_CONTACT',
    scope: { type: 'EMBASSY', id: app.cast.ids.embassyA },
    createdBy: app.cast.members.admin.userId,
    createdAt: expect.any(String) as string,
    expiresAt: invitation.expiresAt,
  });
  expect(JSON.stringify(open)).not.toContain(invitation.code);

  const [event] = await auditRows(app.database.url, 'user.invited', invitation.id);
  expect(event).toEqual(
    expect.objectContaining({
      actor_id: app.cast.members.admin.userId,
      target_type: 'invitation',
      scope_type: 'EMBASSY',
      scope_id: app.cast.ids.embassyA,
      outcome: 'SUCCESS',
      details: { role: 'EMBASSY_CONTACT' },
    }),
  );
  expect(JSON.stringify(event)).not.toContain(invitation.code);

  const account = await app.client.enrol(invitation.code, 'new.contact@embassy.example', 'a long enough passphrase for tests');
  expect(account.user).toEqual(expect.objectContaining({ role: 'EMBASSY_CONTACT', scope: { type: 'EMBASSY', id: app.cast.ids.embassyA } }));
  expect((await admin.admin.listInvitations()).items.map((item) => item.id)).not.toContain(invitation.id);
});

it('requires the scope each role needs and refuses the others, naming the field', async () => {
  const { embassyA, orgX } = app.cast.ids;
  await expectInvalidFields(admin.admin.invite({ email: 'a@example.org', role: 'EMBASSY_CONTACT' }), ['embassyId']);
  await expectInvalidFields(admin.admin.invite({ email: 'a@example.org', role: 'EMBASSY_CONTACT', embassyId: embassyA, organisationId: orgX }), [
    'organisationId',
  ]);
  await expectInvalidFields(admin.admin.invite({ email: 'a@example.org', role: 'NGO', embassyId: embassyA }), ['embassyId', 'organisationId']);
  for (const role of ['ADMIN', 'AUDITOR', 'COORDINATOR'] as const) {
    await expectInvalidFields(admin.admin.invite({ email: 'a@example.org', role, organisationId: orgX }), ['organisationId']);
  }
  await expectInvalidFields(admin.admin.invite({ email: 'a@example.org', role: 'EMBASSY_CONTACT', embassyId: UNKNOWN_ID }), ['embassyId']);
  await expectInvalidFields(admin.admin.invite({ email: 'a@example.org', role: 'NGO', organisationId: UNKNOWN_ID }), ['organisationId']);
  await expectInvalidFields(admin.admin.invite({ email: 'not an e-mail', role: 'ADMIN' }), ['email']);
  await expectInvalidFields(admin.admin.invite({ email: `${'a'.repeat(250)}@example.org`, role: 'ADMIN' }), ['email']);
  const unknownRole = { email: 'a@example.org', role: 'SUPERUSER' } as unknown as Parameters<typeof admin.admin.invite>[0];
  await expectInvalidFields(admin.admin.invite(unknownRole), ['role']);
  await expectInvalidFields(admin.admin.invite({ email: 'a@example.org', role: 'NGO', organisationId: 'org-x' }), ['organisationId']);

  const issued = await querySql<{ count: string }>(app.database.url, `SELECT count(*) FROM invitations WHERE email = 'a@example.org'`);
  expect(issued[0].count).toBe('0');
});

it('issues invitations for the other roles with the scope they imply', async () => {
  const ngo = await admin.admin.invite({ email: 'ngo@example.org', role: 'NGO', organisationId: app.cast.ids.orgY });
  expect(ngo.scope).toEqual({ type: 'ORGANISATION', id: app.cast.ids.orgY });
  const coordinator = await admin.admin.invite({ email: 'coordinator@example.org', role: 'COORDINATOR' });
  expect(coordinator.scope).toEqual({ type: 'NETWORK', id: expect.any(String) as string });
  const auditor = await admin.admin.invite({ email: 'auditor2@example.org', role: 'AUDITOR' });
  expect(auditor.scope).toEqual({ type: 'SYSTEM', id: null });
});

it('refuses to invite an e-mail that already has an account', async () => {
  await expectProblem(admin.admin.invite({ email: app.cast.members.contactB1.email.toUpperCase(), role: 'COORDINATOR' }), 409);
});

it('withdraws an open invitation: its code can no longer be spent', async () => {
  const invitation = await admin.admin.invite({ email: 'withdrawn@example.org', role: 'NGO', organisationId: app.cast.ids.orgX });
  await expect(admin.admin.withdrawInvitation(invitation.id)).resolves.toBeUndefined();
  expect((await admin.admin.listInvitations({ limit: 200 })).items.map((item) => item.id)).not.toContain(invitation.id);

  await expectProblem(app.client.enrol(invitation.code, 'withdrawn@example.org', 'a long enough passphrase for tests'), 403);
  await expectProblem(admin.admin.withdrawInvitation(invitation.id), 409);
  await expectProblem(admin.admin.withdrawInvitation(UNKNOWN_ID), 404);

  expect(await auditRows(app.database.url, 'user.invitation-withdrawn', invitation.id)).toEqual([
    expect.objectContaining({ actor_id: app.cast.members.admin.userId, scope_type: 'ORGANISATION', scope_id: app.cast.ids.orgX, outcome: 'SUCCESS' }),
  ]);
});

it('replaces an earlier open invitation for the same e-mail, and pages the open ones', async () => {
  const first = await admin.admin.invite({ email: 'twice@example.org', role: 'AUDITOR' });
  const second = await admin.admin.invite({ email: 'twice@example.org', role: 'AUDITOR' });
  const all = await admin.admin.listInvitations({ limit: 200 });
  const ids = all.items.map((item) => item.id);
  expect(ids).toContain(second.id);
  expect(ids).not.toContain(first.id);
  for (const item of all.items) expect(Object.keys(item).sort()).toEqual(['createdAt', 'createdBy', 'displayName', 'email', 'expiresAt', 'id', 'role', 'scope']);

  const paged: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await admin.admin.listInvitations({ limit: 1, cursor });
    paged.push(...page.items.map((item) => item.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  expect(paged).toEqual(ids);
});

it('leaves expired invitations out of the open list', async () => {
  const invitation = await admin.admin.invite({ email: 'expiring@example.org', role: 'AUDITOR' });
  app.clock.advance(8 * 24 * 3600_000);
  // The admin's access token expired with the jump: sign in again.
  const later = await app.login('admin');
  expect((await later.admin.listInvitations({ limit: 200 })).items.map((item) => item.id)).not.toContain(invitation.id);
});
