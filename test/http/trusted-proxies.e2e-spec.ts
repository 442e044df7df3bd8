/**
 * TRUSTED_PROXIES: behind a listed proxy, rate limits and logs see the client's address
 * from X-Forwarded-For, so one busy office does not exhaust everyone's budget; from an
 * address that is not listed, X-Forwarded-For is ignored, so a client cannot pick a new
 * address per request to escape its limit.
 */
import { querySql } from '../support/test-database';
import { startTestApp, type TestApp } from '../support/test-app';

const LIMIT = 3;

async function prelogin(app: TestApp, forwardedFor: string): Promise<number> {
  const response = await app.request('/api/v1/auth/prelogin', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify({ email: 'nobody@egide.test' }),
  });
  await response.arrayBuffer();
  return response.status;
}

async function statusesFor(app: TestApp, forwardedFor: string, count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) statuses.push(await prelogin(app, forwardedFor));
  return statuses;
}

/** A refused login (audited as auth.login-refused) from `forwardedFor`; the address its event records. */
async function auditedAddressOfRefusedLogin(app: TestApp, forwardedFor: string): Promise<string | null> {
  const requestId = `proxy-test-${forwardedFor}`;
  const response = await app.request('/api/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor, 'x-request-id': requestId },
    body: JSON.stringify({ email: 'someone@egide.test', authKey: 'A'.repeat(43), totpCode: '123456' }),
  });
  expect(response.status).toBe(401);
  const rows = await querySql<{ address: string | null }>(
    app.database.url,
    `SELECT host(client_address) AS address FROM audit_events WHERE action = 'auth.login-refused' AND request_id = $1`,
    [requestId],
  );
  expect(rows).toHaveLength(1);
  return rows[0].address;
}

function loggedAddresses(app: TestApp): unknown[] {
  return app.log
    .entries()
    .filter((entry) => entry.msg === 'request completed')
    .map((entry) => (entry.req as { ip?: unknown }).ip);
}

describe('behind a trusted proxy (TRUSTED_PROXIES=127.0.0.1)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { TRUSTED_PROXIES: '127.0.0.1', AUTH_RATE_LIMIT_PER_MINUTE: String(LIMIT) } });
  });
  afterAll(async () => {
    await app.close();
  });

  it("limits each forwarded client on its own, and logs the client's address", async () => {
    expect(await statusesFor(app, '203.0.113.7', LIMIT + 1)).toEqual([200, 200, 200, 429]);
    // Another office behind the same proxy still has its whole budget.
    expect(await statusesFor(app, '198.51.100.20', LIMIT)).toEqual([200, 200, 200]);
    // The proxy appends the address it saw; the right-most untrusted one is the client.
    expect(await prelogin(app, '192.0.2.1, 203.0.113.7')).toBe(429);
    expect(loggedAddresses(app)).toEqual(expect.arrayContaining(['203.0.113.7', '198.51.100.20']));
    expect(loggedAddresses(app)).not.toContain('127.0.0.1');
  });

  it("records the client's address in audit events", async () => {
    await expect(auditedAddressOfRefusedLogin(app, '192.0.2.44')).resolves.toBe('192.0.2.44');
  });
});

describe.each([
  ['no TRUSTED_PROXIES', {}],
  ['TRUSTED_PROXIES naming another proxy', { TRUSTED_PROXIES: '10.0.0.0/8' }],
])('with %s, X-Forwarded-For is ignored', (_name, env: Record<string, string>) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { ...env, AUTH_RATE_LIMIT_PER_MINUTE: String(LIMIT) } });
  });
  afterAll(async () => {
    await app.close();
  });

  it('counts every request against the socket address, whatever the header says, and audits that address', async () => {
    // The refused login spends the first of the three credential requests.
    await expect(auditedAddressOfRefusedLogin(app, '192.0.2.44')).resolves.toBe('127.0.0.1');
    const statuses = [await prelogin(app, '203.0.113.1'), await prelogin(app, '203.0.113.2'), await prelogin(app, '203.0.113.3')];
    expect(statuses).toEqual([200, 200, 429]);
    expect(new Set(loggedAddresses(app))).toEqual(new Set(['127.0.0.1']));
  });
});
