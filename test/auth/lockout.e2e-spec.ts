/**
 * Brute force without malicious lockout (docs/identity.md, "Brute force"):
 * - someone who knows only an e-mail cannot keep its owner out: wrong keys never lock;
 * - a guesser who holds the password is locked after five wrong codes, for 15 minutes, then
 *   twice as long each time, and concurrent guesses cannot exceed the threshold;
 * - the recovery key (with a code) still opens an account whose password is locked;
 * - a wrong current password on password change counts towards the lock and is audited;
 * - each client address has an hourly budget of failed sign-ins, spent before any hash.
 * Time moves with the TestClock only.
 */
import { derivePasswordSecrets, deriveRecoverySecrets, parseRecoveryKey } from '../../src/client/crypto';
import { EgideApiError } from '../../src/client/http-client';
import { toBase64Url } from '../../src/crypto/binary-encoding';
import { readyCrypto } from '../../src/crypto/protocol-hash';
import { castTotp, startCastApp, type CastApp, type CastKey } from '../support/cast';
import { querySql } from '../support/test-database';

let app: CastApp;

beforeAll(async () => {
  await readyCrypto();
  app = await startCastApp();
});

afterAll(async () => {
  await app.close();
});

const MINUTE = 60_000;

async function authKeyOf(key: CastKey, password = app.cast.members[key].password, on: CastApp = app): Promise<string> {
  const { kdf } = await on.client.auth.prelogin(on.cast.members[key].email);
  return toBase64Url(derivePasswordSecrets(password, kdf).authKey);
}

/** The code of the current step (not spent unless a login at this step succeeded). */
function codeNow(key: CastKey, on: CastApp = app): string {
  return castTotp(on.cast.members[key], on.clock.nowSeconds());
}

/** A six-digit code that none of the steps the server accepts now would produce. */
function wrongCode(key: CastKey, on: CastApp = app): string {
  const member = on.cast.members[key];
  const now = on.clock.nowSeconds();
  const valid = [now - 30, now, now + 30].map((at) => castTotp(member, at));
  for (let n = 0; ; n += 1) {
    const code = String(n * 7919).padStart(6, '0').slice(-6);
    if (!valid.includes(code)) return code;
  }
}

async function rawLogin(
  body: { email: string; authKey: string; totpCode: string },
  on: CastApp = app,
  headers: Record<string, string> = {},
): Promise<{ status: number; type: string; retryAfter: string | null }> {
  const response = await on.request('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const problem = response.status === 200 ? { type: 'ok' } : ((await response.json()) as { type: string });
  return { status: response.status, type: problem.type, retryAfter: response.headers.get('retry-after') };
}

/**
 * How many times the trail records `action` for the user, by reason: the events written in
 * full, the repeats still counted for the open hour, and those of closed hours.
 */
async function auditedReasons(userId: string, action: string): Promise<Record<string, number>> {
  const rows = await querySql<{ reason: string; n: number }>(
    app.database.url,
    `SELECT reason, sum(n)::int AS n FROM (
       SELECT details->>'reason' AS reason, 1 AS n FROM audit_events WHERE target_id = $1 AND action = $2
       UNION ALL SELECT details->>'reason', repeats FROM audit_repeats WHERE target_id = $1 AND action = $2
       UNION ALL SELECT details->>'reason', (details->>'repeats')::int FROM audit_events
                 WHERE target_id = $1 AND action = 'audit.repeated' AND details->>'of' = $2
     ) t GROUP BY reason`,
    [userId, action],
  );
  return Object.fromEntries(rows.map((row) => [row.reason, row.n]));
}

async function lockouts(userId: string): Promise<{ credential: string; stage: string; lockNumber: number; lockedUntil: string }[]> {
  const rows = await querySql<{ details: { credential: string; stage: string; lockNumber: number; lockedUntil: string } }>(
    app.database.url,
    `SELECT details FROM audit_events WHERE target_id = $1 AND action = 'auth.lockout' ORDER BY id`,
    [userId],
  );
  return rows.map((row) => row.details);
}

it('never lets someone who knows only the e-mail keep its owner out: wrong keys do not lock', async () => {
  const victim: CastKey = 'ngoX1';
  const { email, userId, recoveryKey } = app.cast.members[victim];
  const guessedKey = await authKeyOf(victim, 'a guess at the password');
  for (let attempt = 0; attempt < 12; attempt += 1) {
    expect((await rawLogin({ email, authKey: guessedKey, totpCode: wrongCode(victim) })).status).toBe(401);
    app.clock.advance(1_000);
  }
  // Wrong recovery keys neither.
  const wrongRecovery = deriveRecoverySecrets(parseRecoveryKey(recoveryKey.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))));
  for (let attempt = 0; attempt < 6; attempt += 1) {
    await expect(
      app.client.auth.beginRecovery({ email, recoveryAuthKey: toBase64Url(wrongRecovery.authKey), totpCode: wrongCode(victim) }),
    ).rejects.toMatchObject({ status: 401 });
  }

  // The owner, with the password and a code, is in at once.
  const session = await app.login(victim);
  await expect(session.auth.me()).resolves.toMatchObject({ email });
  expect(await lockouts(userId)).toEqual([]);
  // Every refusal is in the trail (the first in full, the repeats counted: test/audit).
  await expect(auditedReasons(userId, 'auth.login-refused')).resolves.toEqual({ 'bad-auth-key': 12, 'bad-recovery-key': 6 });
});

it('locks the password after five wrong codes behind the right key, for 15 minutes, then 30: nothing extends a lock', async () => {
  const guesser: CastKey = 'contactB2';
  const { email, userId } = app.cast.members[guesser];
  const authKey = await authKeyOf(guesser);
  for (let attempt = 0; attempt < 5; attempt += 1) {
    expect(await rawLogin({ email, authKey, totpCode: wrongCode(guesser) })).toMatchObject({ status: 401, type: 'urn:egide:problem:unauthenticated' });
  }
  const [first] = await lockouts(userId);
  expect(first).toMatchObject({ credential: 'password', stage: 'login', lockNumber: 1 });
  const lockedAt = app.clock.now().getTime();
  expect(new Date(first.lockedUntil).getTime() - lockedAt).toBeLessThanOrEqual(15 * MINUTE);
  expect(new Date(first.lockedUntil).getTime() - lockedAt).toBeGreaterThan(15 * MINUTE - 5_000);

  // Locked: the right code is refused like any other, and further guesses change nothing.
  app.clock.advance(MINUTE);
  expect((await rawLogin({ email, authKey, totpCode: codeNow(guesser) })).status).toBe(401);
  for (let attempt = 0; attempt < 5; attempt += 1) expect((await rawLogin({ email, authKey, totpCode: wrongCode(guesser) })).status).toBe(401);
  expect(await lockouts(userId)).toHaveLength(1);
  app.clock.advance(new Date(first.lockedUntil).getTime() - app.clock.now().getTime() - 1_000);
  expect((await rawLogin({ email, authKey, totpCode: codeNow(guesser) })).status).toBe(401);

  // The lock is over: five more wrong codes lock it again, twice as long.
  app.clock.advance(1_000);
  for (let attempt = 0; attempt < 5; attempt += 1) expect((await rawLogin({ email, authKey, totpCode: wrongCode(guesser) })).status).toBe(401);
  const second = (await lockouts(userId))[1];
  expect(second).toMatchObject({ credential: 'password', lockNumber: 2 });
  expect(new Date(second.lockedUntil).getTime() - app.clock.now().getTime()).toBeGreaterThan(30 * MINUTE - 5_000);
  app.clock.advance(15 * MINUTE);
  expect((await rawLogin({ email, authKey, totpCode: codeNow(guesser) })).status).toBe(401);
  app.clock.advance(new Date(second.lockedUntil).getTime() - app.clock.now().getTime());
  expect((await rawLogin({ email, authKey, totpCode: codeNow(guesser) })).status).toBe(200);

  // The success cleared the count: a first lock again lasts 15 minutes.
  app.clock.advance(30_000);
  for (let attempt = 0; attempt < 5; attempt += 1) expect((await rawLogin({ email, authKey, totpCode: wrongCode(guesser) })).status).toBe(401);
  expect((await lockouts(userId))[2]).toMatchObject({ lockNumber: 1 });
  await expect(auditedReasons(userId, 'auth.login-refused')).resolves.toEqual({ 'bad-code': 12, locked: 8 });
});

it('counts concurrent guesses in PostgreSQL: twelve at once judge exactly five codes', async () => {
  const guesser: CastKey = 'contactA1';
  const { email, userId } = app.cast.members[guesser];
  const authKey = await authKeyOf(guesser);
  const results = await Promise.all(Array.from({ length: 12 }, () => rawLogin({ email, authKey, totpCode: wrongCode(guesser) })));
  expect(results.map((result) => result.status)).toEqual(Array<number>(12).fill(401));
  expect(await lockouts(userId)).toHaveLength(1);
  // Four wrong codes, the fifth locked, seven never judged.
  await expect(auditedReasons(userId, 'auth.login-refused')).resolves.toEqual({ 'bad-code': 4, locked: 7 });
});

it('lets the recovery key (and a code) open an account whose password is locked; the new password ends the lock', async () => {
  const owner: CastKey = 'coordinator1';
  const member = app.cast.members[owner];
  const authKey = await authKeyOf(owner);
  for (let attempt = 0; attempt < 5; attempt += 1) expect((await rawLogin({ email: member.email, authKey, totpCode: wrongCode(owner) })).status).toBe(401);
  app.clock.advance(30_000);
  expect((await rawLogin({ email: member.email, authKey, totpCode: codeNow(owner) })).status).toBe(401);

  await app.client.recover(member.email, member.recoveryKey, codeNow(owner), 'a fresh passphrase after the lock');
  const session = await app.client.login(member.email, 'a fresh passphrase after the lock', app.freshTotp(owner));
  await expect(session.auth.me()).resolves.toMatchObject({ email: member.email });
  expect(await lockouts(member.userId)).toEqual([expect.objectContaining({ credential: 'password' })]);
});

it('counts a wrong current password on password change towards the lock, and audits it', async () => {
  const owner: CastKey = 'ngoY1';
  const member = app.cast.members[owner];
  const session = await app.login(owner);
  const { kdf } = await app.client.auth.prelogin(member.email);
  for (let attempt = 0; attempt < 4; attempt += 1) {
    await expect(session.changePassword('not my current password', 'a brand new passphrase for Y', kdf)).rejects.toMatchObject({
      status: 403,
      problem: { detail: 'The current password is not right' },
    });
  }
  await expect(auditedReasons(member.userId, 'auth.password-change-refused')).resolves.toEqual({ 'bad-current-key': 4 });
  const [audited] = await querySql<{ actor_id: string; outcome: string }>(
    app.database.url,
    `SELECT actor_id, outcome FROM audit_events WHERE action = 'auth.password-change-refused' AND target_id = $1`,
    [member.userId],
  );
  expect(audited).toEqual({ actor_id: member.userId, outcome: 'FAILURE' });

  // The fifth locks the password: for changes and for sign-ins alike.
  const fifth = await session.changePassword('still not my password', 'a brand new passphrase for Y', kdf).catch((error: unknown) => error);
  expect(fifth).toBeInstanceOf(EgideApiError);
  expect((fifth as EgideApiError).problem.detail).toMatch(/locked/);
  expect(await lockouts(member.userId)).toEqual([expect.objectContaining({ credential: 'password', stage: 'password-change', lockNumber: 1 })]);
  await expect(session.changePassword(member.password, 'a brand new passphrase for Y', kdf)).rejects.toMatchObject({ status: 403 });
  expect((await rawLogin({ email: member.email, authKey: await authKeyOf(owner), totpCode: app.freshTotp(owner) })).status).toBe(401);
  // The session itself goes on.
  await expect(session.auth.me()).resolves.toMatchObject({ email: member.email });

  // When the lock is over (a new session: access tokens last 15 minutes too), the change goes through.
  app.clock.advance(15 * MINUTE);
  const later = await app.login(owner);
  await later.changePassword(member.password, 'a brand new passphrase for Y', kdf);
  expect((await rawLogin({ email: member.email, authKey: await authKeyOf(owner, 'a brand new passphrase for Y'), totpCode: app.freshTotp(owner) })).status).toBe(200);
});

describe('per client address', () => {
  let limited: CastApp;

  beforeAll(async () => {
    // 127.0.0.1 is the trusted proxy, so X-Forwarded-For names the client.
    limited = await startCastApp({ env: { SIGN_IN_FAILURES_PER_ADDRESS_PER_HOUR: '3', TRUSTED_PROXIES: '127.0.0.1' } });
  });

  afterAll(async () => {
    await limited.close();
  });

  const from = (address: string): Record<string, string> => ({ 'x-forwarded-for': address });

  it('refuses an address after its hourly budget of failures, before judging anything, until the hour ends', async () => {
    const victim: CastKey = 'contactB1';
    const { email } = limited.cast.members[victim];
    const guessedKey = await authKeyOf(victim, 'a guess at the password', limited);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect((await rawLogin({ email, authKey: guessedKey, totpCode: wrongCode(victim, limited) }, limited, from('203.0.113.5'))).status).toBe(401);
    }
    const refused = await rawLogin({ email, authKey: await authKeyOf(victim, undefined, limited), totpCode: codeNow(victim, limited) }, limited, from('203.0.113.5'));
    expect(refused).toMatchObject({ status: 429, type: 'urn:egide:problem:too-many-requests' });
    const hourEnds = 3_600 - (limited.clock.nowSeconds() % 3_600);
    expect(Number(refused.retryAfter)).toBe(hourEnds);
    // Refused before the body is even validated: no hash is ever verified for it.
    const unread = await limited.request('/api/v1/auth/recovery/begin', { method: 'POST', headers: { 'content-type': 'application/json', ...from('203.0.113.5') }, body: '{}' });
    expect(unread.status).toBe(429);

    // The owner, from another address, is not affected.
    expect((await rawLogin({ email, authKey: await authKeyOf(victim, undefined, limited), totpCode: limited.freshTotp(victim) }, limited, from('198.51.100.20'))).status).toBe(200);

    // The next hour the address has a new budget.
    limited.clock.advance(hourEnds * 1000);
    expect((await rawLogin({ email, authKey: guessedKey, totpCode: wrongCode(victim, limited) }, limited, from('203.0.113.5'))).status).toBe(401);
  });

  it('gives a success its attempt back, so that the budget counts failures', async () => {
    const owner: CastKey = 'contactA2';
    const { email } = limited.cast.members[owner];
    const authKey = await authKeyOf(owner, undefined, limited);
    const wrongKey = await authKeyOf(owner, 'not the password of A2', limited);
    const address = from('192.0.2.44');
    expect((await rawLogin({ email, authKey: wrongKey, totpCode: wrongCode(owner, limited) }, limited, address)).status).toBe(401);
    expect((await rawLogin({ email, authKey: wrongKey, totpCode: wrongCode(owner, limited) }, limited, address)).status).toBe(401);
    expect((await rawLogin({ email, authKey, totpCode: limited.freshTotp(owner) }, limited, address)).status).toBe(200);
    expect((await rawLogin({ email, authKey: wrongKey, totpCode: wrongCode(owner, limited) }, limited, address)).status).toBe(401);
    expect((await rawLogin({ email, authKey: wrongKey, totpCode: wrongCode(owner, limited) }, limited, address)).status).toBe(429);
  });

  it('counts an IPv6 client by its /64', async () => {
    const owner: CastKey = 'ngoX1';
    const { email } = limited.cast.members[owner];
    const wrongKey = await authKeyOf(owner, 'not the password of X1', limited);
    for (const address of ['2001:db8:7:1::1', '2001:db8:7:1::2', '2001:db8:7:1:aaaa::3']) {
      expect((await rawLogin({ email, authKey: wrongKey, totpCode: wrongCode(owner, limited) }, limited, from(address))).status).toBe(401);
    }
    expect((await rawLogin({ email, authKey: wrongKey, totpCode: wrongCode(owner, limited) }, limited, from('2001:db8:7:1:ffff::9'))).status).toBe(429);
    expect((await rawLogin({ email, authKey: wrongKey, totpCode: wrongCode(owner, limited) }, limited, from('2001:db8:7:2::1'))).status).toBe(401);
  });
});
