/**
 * Accounts through the SDK: setup cannot be repeated, enrolment needs a live invitation
 * for the same e-mail and key material above the KDF floor, MFA must be activated,
 * password change ends other sessions, recovery with the recovery key and TOTP sets a
 * new password and ends every session.
 */
import { createHash, randomBytes } from 'node:crypto';
import { base32Decode, totpCode, totpStep } from '../../src/auth/totp';
import { enrolUser } from '../../src/client/crypto';
import { EgideClient } from '../../src/client/egide-client';
import { WeakPasswordError } from '../../src/client/password-policy';
import { readyCrypto } from '../../src/crypto/protocol-hash';
import { startCastApp, type CastApp } from '../support/cast';
import { querySql } from '../support/test-database';

let app: CastApp;

beforeAll(async () => {
  await readyCrypto();
  app = await startCastApp();
});

afterAll(async () => {
  await app.close();
});

async function invite(email: string, role = 'EMBASSY_CONTACT', embassyId: string | null = app.cast.ids.embassyA): Promise<string> {
  const code = randomBytes(32).toString('base64url');
  await querySql(
    app.database.url,
    `INSERT INTO invitations (code_hash, email, role, embassy_id, created_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
    [createHash('sha256').update(code).digest(), email, role, embassyId, app.cast.members.admin.userId, new Date(app.clock.now().getTime() + 3_600_000)],
  );
  return code;
}

it('refuses a second setup: the token was consumed when the first administrator was created', async () => {
  const response = await app.request('/api/v1/setup', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ setupToken: randomBytes(32).toString('base64url'), email: 'x@y.example', keys: enrolUser('pw', {}).material }),
  });
  expect(response.status).toBe(403);
  const [token] = await querySql<{ consumed_at: Date | null }>(app.database.url, 'SELECT consumed_at FROM setup_token');
  expect(token.consumed_at).not.toBeNull();
});

it('enrols from an invitation once, activates MFA with a first code, and then signs in', async () => {
  const email = 'new.contact@embassy-a.example';
  const code = await invite(email);
  const account = await app.client.enrol(code, email, 'a long new password');
  expect(account.user.role).toBe('EMBASSY_CONTACT');
  expect(account.user.scope).toEqual({ type: 'EMBASSY', id: app.cast.ids.embassyA });
  expect(account.totp.otpauthUri).toMatch(/^otpauth:\/\/totp\/Egide%3Anew.contact/);
  expect(account.recoveryKey).toMatch(/^[0-9A-Z-]+$/);

  // The same code again: refused, whoever presents it.
  await expect(app.client.enrol(code, email, 'another long passphrase here')).rejects.toMatchObject({ status: 403 });

  const secret = base32Decode(account.totp.secret);
  // No login before MFA is active.
  await expect(app.client.login(email, 'a long new password', totpCode(secret, totpStep(app.clock.nowSeconds())))).rejects.toMatchObject({
    status: 401,
  });
  app.clock.advance(30_000);
  await account.confirmTotp(totpCode(secret, totpStep(app.clock.nowSeconds())));
  app.clock.advance(30_000);
  const session = await app.client.login(email, 'a long new password', totpCode(secret, totpStep(app.clock.nowSeconds())));
  await expect(session.auth.me()).resolves.toMatchObject({ email });

  const stored = await querySql<Record<string, unknown>>(app.database.url, 'SELECT * FROM users WHERE email = $1', [email]);
  const row = JSON.stringify(stored);
  expect(row).not.toContain('a long new password');
  expect(row).not.toContain(account.totp.secret);
});

it('refuses an invitation presented with another e-mail, and key material below the KDF floor, naming the field', async () => {
  const code = await invite('right@embassy-a.example');
  await expect(app.client.enrol(code, 'wrong@embassy-a.example', 'a long new passphrase here')).rejects.toMatchObject({ status: 403 });

  const weak = enrolUser('pw', {}).material;
  const response = await app.request('/api/v1/auth/enrol', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ invitationCode: code, email: 'right@embassy-a.example', keys: { ...weak, kdf: { ...weak.kdf, opslimit: 1, memlimit: 8192 } } }),
  });
  expect(response.status).toBe(400);
  const problem = (await response.json()) as { errors: { field: string }[] };
  expect(problem.errors.map((error) => error.field).sort()).toEqual(['keys.kdf.memlimit', 'keys.kdf.opslimit']);

  const mismatched = await app.request('/api/v1/auth/enrol', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ invitationCode: code, email: 'right@embassy-a.example', keys: { ...weak, fingerprint: '00000 00000 00000 00000 00000 00000 00000 00000' } }),
  });
  expect(mismatched.status).toBe(400);
  await expect(mismatched.json()).resolves.toMatchObject({ errors: [{ field: 'keys.fingerprint' }] });
  // The invitation was not spent by the refused attempts.
  const [invitation] = await querySql<{ used_at: Date | null }>(app.database.url, 'SELECT used_at FROM invitations WHERE email = $1', [
    'right@embassy-a.example',
  ]);
  expect(invitation.used_at).toBeNull();
});

it('refuses a weak password in every SDK flow that chooses one, before any request', async () => {
  const email = 'weak.sdk@embassy-a.example';
  const code = await invite(email);
  await expect(app.client.enrol(code, email, 'a')).rejects.toBeInstanceOf(WeakPasswordError);
  await expect(app.client.enrol(code, email, 'weak.sdk@embassy-a.example')).rejects.toMatchObject({
    verdict: { acceptable: false, problems: ['guessable'] },
  });
  const member = app.cast.members.contactA2;
  await expect(app.client.recover(member.email, member.recoveryKey, app.freshTotp('contactA2'), 'password1234')).rejects.toBeInstanceOf(WeakPasswordError);
  const session = await app.login('contactA2');
  const { kdf } = await app.client.auth.prelogin(member.email);
  await expect(session.changePassword(member.password, 'aaaaaaaaaaaaaaaa', kdf)).rejects.toBeInstanceOf(WeakPasswordError);
  // Nothing reached the server: the invitation is unspent and the password unchanged.
  await expect(app.client.enrol(code, email, 'a strong enough passphrase for this one')).resolves.toMatchObject({ user: { email } });
  await expect(app.client.login(member.email, member.password, app.freshTotp('contactA2'))).resolves.toMatchObject({ user: { email: member.email } });
});

it('changes the password: the old one stops working, other sessions end, this one continues', async () => {
  const member = app.cast.members.coordinator2;
  const other = await app.login('coordinator2');
  const session = await app.login('coordinator2');
  const { kdf } = await app.client.auth.prelogin(member.email);
  await session.changePassword(member.password, 'the new coordinator password', kdf);

  await expect(session.auth.me()).resolves.toMatchObject({ email: member.email });
  await expect(other.auth.me()).rejects.toMatchObject({ status: 401 });
  await expect(app.client.login(member.email, member.password, app.freshTotp('coordinator2'))).rejects.toMatchObject({ status: 401 });
  const again = await app.client.login(member.email, 'the new coordinator password', app.freshTotp('coordinator2'));
  // The same keys: the seed was re-wrapped, not replaced.
  expect(Buffer.from(again.keys.signPublicKey).equals(Buffer.from(session.keys.signPublicKey))).toBe(true);
});

it('recovers a lost password with the recovery key and a TOTP code, ending every session', async () => {
  const member = app.cast.members.ngoY1;
  const before = await app.login('ngoY1');
  await app.client.recover(member.email, member.recoveryKey, app.freshTotp('ngoY1'), 'recovered password for Y');
  await expect(before.auth.me()).rejects.toMatchObject({ status: 401 });
  const after = await app.client.login(member.email, 'recovered password for Y', app.freshTotp('ngoY1'));
  expect(Buffer.from(after.keys.boxPublicKey).equals(Buffer.from(before.keys.boxPublicKey))).toBe(true);

  // Without the TOTP code, or with a wrong recovery key, nothing.
  await expect(
    app.client.recover(member.email, member.recoveryKey.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')), app.freshTotp('ngoY1'), 'yet another passphrase for Y'),
  ).rejects.toMatchObject({ status: 401 });
  await expect(app.client.recover(member.email, member.recoveryKey, '000000', 'yet another passphrase for Y')).rejects.toMatchObject({ status: 401 });
});

it('rate-limits credential routes per client address, with Retry-After', async () => {
  const limited = await startCastApp({ env: { AUTH_RATE_LIMIT_PER_MINUTE: '3' } });
  try {
    const client = new EgideClient(limited.url);
    for (let i = 0; i < 3; i += 1) await client.auth.prelogin('someone@example.org');
    const response = await limited.request('/api/v1/auth/prelogin', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': `198.51.100.${Math.floor(Math.random() * 200)}` },
      body: JSON.stringify({ email: 'someone@example.org' }),
    });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    await expect(response.json()).resolves.toMatchObject({ type: 'urn:egide:problem:too-many-requests' });
    // The route decides, not the URL as sent: a percent-encoded path is the same route.
    for (const path of ['/api/v1/auth/%6Cogin', '/api/v1/auth/pre%6Cogin', '/api/v1/%73etup']) {
      const encoded = await limited.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect({ path, status: encoded.status }).toEqual({ path, status: 429 });
    }
    // Other routes keep their own, larger budget.
    expect((await limited.request('/api/v1/health')).status).toBe(200);
  } finally {
    await limited.close();
  }
});
