/**
 * Lost password and lost recovery key: the administrator can only re-invite. The
 * enrolment gives the same account new keys; its sessions and team grants are gone, and
 * a member re-grants after checking the new fingerprint.
 */
import { base32Decode, totpCode, totpStep } from '../../src/auth/totp';
import { startCastApp, type CastApp } from '../support/cast';
import { querySql } from '../support/test-database';

let app: CastApp;

beforeAll(async () => {
  app = await startCastApp();
});

afterAll(async () => {
  await app.close();
});

it('re-enrols an account with new keys, ending its sessions and dropping its grants', async () => {
  const member = app.cast.members.contactB2;
  const old = await app.login('contactB2');
  const admin = await app.login('admin');

  const invitation = await admin.admin.reinviteUser(member.userId);
  expect(invitation.email).toBe(member.email);
  expect(invitation.scope).toEqual({ type: 'EMBASSY', id: app.cast.ids.embassyB });

  // An ordinary invitation for an existing e-mail is still refused.
  await expect(admin.admin.invite({ email: member.email, role: 'EMBASSY_CONTACT', embassyId: app.cast.ids.embassyB })).rejects.toMatchObject({
    status: 409,
  });

  const account = await app.client.enrol(invitation.code, member.email, 'a brand new password');
  expect(account.user.id).toBe(member.userId);
  expect(account.user.fingerprint).not.toBe(member.fingerprint);
  await expect(old.auth.me()).rejects.toMatchObject({ status: 401 });

  const secret = base32Decode(account.totp.secret);
  app.clock.advance(30_000);
  await account.confirmTotp(totpCode(secret, totpStep(app.clock.nowSeconds())));
  app.clock.advance(30_000);
  const fresh = await app.client.login(member.email, 'a brand new password', totpCode(secret, totpStep(app.clock.nowSeconds())));
  await expect(fresh.auth.me()).resolves.toMatchObject({ id: member.userId, fingerprint: account.user.fingerprint });
  await expect(app.client.login(member.email, member.password, app.freshTotp('contactB2'))).rejects.toMatchObject({ status: 401 });

  const audit = await querySql<{ action: string }>(app.database.url, `SELECT action FROM audit_events WHERE target_id = $1 ORDER BY id`, [member.userId]);
  expect(audit.map((row) => row.action)).toEqual(expect.arrayContaining(['user.reinvited', 'auth.reenrolled']));
  const grants = await querySql(app.database.url, 'SELECT 1 FROM team_key_grants WHERE recipient_id = $1', [member.userId]);
  expect(grants).toEqual([]);
});

it('refuses an administrator re-enrolling their own account, and other roles', async () => {
  const admin = await app.login('admin');
  await expect(admin.admin.reinviteUser(app.cast.members.admin.userId)).rejects.toMatchObject({ status: 409 });
  const contact = await app.login('contactA1');
  await expect(contact.admin.reinviteUser(app.cast.members.contactA2.userId)).rejects.toMatchObject({ status: 403 });
});
