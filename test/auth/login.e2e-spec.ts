/**
 * Login: MFA is mandatory, a TOTP code works once (and one just used says so, to the
 * holder of the right key only), failures are otherwise indistinguishable. Lockout is in
 * lockout.e2e-spec.ts.
 */
import { derivePasswordSecrets } from '../../src/client/crypto';
import { toBase64Url } from '../../src/crypto/binary-encoding';
import { readyCrypto } from '../../src/crypto/protocol-hash';
import { castTotp, startCastApp, type CastApp, type CastKey } from '../support/cast';

let app: CastApp;

beforeAll(async () => {
  await readyCrypto();
  app = await startCastApp();
});

afterAll(async () => {
  await app.close();
});

async function authKeyOf(key: CastKey, password = app.cast.members[key].password): Promise<string> {
  const { kdf } = await app.client.auth.prelogin(app.cast.members[key].email);
  return toBase64Url(derivePasswordSecrets(password, kdf).authKey);
}

async function rawLogin(body: { email: string; authKey: string; totpCode: string }): Promise<{ status: number; body: string }> {
  const response = await app.request('/api/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  // The request id differs per request by design; everything else must not.
  return { status: response.status, body: text.replace(/"requestId":"[^"]+"/, '"requestId":""') };
}

it('returns tokens and the encrypted key bundle, never a secret column', async () => {
  const key: CastKey = 'contactA1';
  const totpCode = app.freshTotp(key);
  const response = await app.client.auth.login({ email: app.cast.members[key].email, authKey: await authKeyOf(key), totpCode });
  expect(response.tokenType).toBe('Bearer');
  expect(response.expiresIn).toBe(900);
  expect(response.keyBundle.passwordBundle.purpose).toBe('password');
  expect(response.keyBundle.fingerprint).toBe(app.cast.members[key].fingerprint);
  const text = JSON.stringify(response);
  expect(text).not.toMatch(/auth_key_hash|authKeyHash|totp|recoveryBundle|\$argon2id/);
});

it('accepts a TOTP code once; the same code again, after the right key, says to wait for the next one', async () => {
  const key: CastKey = 'contactA2';
  const authKey = await authKeyOf(key);
  const totpCode = app.freshTotp(key);
  const email = app.cast.members[key].email;
  expect((await rawLogin({ email, authKey, totpCode })).status).toBe(200);
  const again = await rawLogin({ email, authKey, totpCode });
  expect(again.status).toBe(401);
  expect(JSON.parse(again.body)).toMatchObject({
    type: 'urn:egide:problem:totp-code-used',
    title: 'This code was just used',
    detail: expect.stringContaining('wait until your authenticator shows the next one') as string,
  });
  // With a wrong key the same spent code tells nothing: the usual refusal.
  const guessed = await rawLogin({ email, authKey: await authKeyOf(key, 'not the password at all'), totpCode });
  const unknown = await rawLogin({ email: 'nobody@cast.egide.test', authKey, totpCode });
  expect(guessed).toEqual(unknown);
  expect(JSON.parse(guessed.body)).toMatchObject({ type: 'urn:egide:problem:unauthenticated' });
  // The next code works.
  expect((await rawLogin({ email, authKey, totpCode: app.freshTotp(key) })).status).toBe(200);
});

it('makes unknown account, wrong key and wrong code indistinguishable', async () => {
  const key: CastKey = 'contactB1';
  const email = app.cast.members[key].email;
  const authKey = await authKeyOf(key);
  const wrongKey = await authKeyOf(key, 'not the password');
  const unknown = await rawLogin({ email: 'nobody@cast.egide.test', authKey, totpCode: app.freshTotp(key) });
  const badKey = await rawLogin({ email, authKey: wrongKey, totpCode: app.freshTotp(key) });
  const badCode = await rawLogin({ email, authKey, totpCode: '000000' });
  expect(unknown.status).toBe(401);
  expect(badKey).toEqual(unknown);
  expect(badCode).toEqual(unknown);

  // Pre-login gives an unknown e-mail stable parameters of the same shape.
  const real = await app.client.auth.prelogin(email);
  const fake1 = await app.client.auth.prelogin('nobody@cast.egide.test');
  const fake2 = await app.client.auth.prelogin('NOBODY@cast.egide.test');
  expect(fake1).toEqual(fake2);
  expect(Object.keys(fake1.kdf).sort()).toEqual(Object.keys(real.kdf).sort());
  expect(fake1.kdf.salt).toHaveLength(real.kdf.salt.length);
  expect(fake1.kdf.opslimit).toBe(real.kdf.opslimit);
  expect(fake1.kdf.memlimit).toBe(real.kdf.memlimit);
});

it('refuses a login before TOTP is activated, and TOTP activation twice', async () => {
  const key: CastKey = 'coordinator1';
  const member = app.cast.members[key];
  // Already active: a second activation is refused like a bad login.
  await expect(
    app.client.auth.confirmTotp({ email: member.email, authKey: await authKeyOf(key), totpCode: castTotp(member, app.clock.nowSeconds() + 60) }),
  ).rejects.toMatchObject({ status: 401 });
});
