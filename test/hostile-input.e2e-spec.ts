/**
 * Classes of hostile input that once reached a service or PostgreSQL as a 500, each
 * refused at its root with a 400 (or 401) problem+json naming what is wrong, before any
 * query runs: JSON nested thousands deep (class-transformer would overflow its stack),
 * NUL characters and lone UTF-16 surrogates in any string of a body or a query (one rule,
 * src/common/http/text-rules.ts), dates in ISO 8601 forms the API does not take (week,
 * ordinal, basic), `null` where a nested value may only be left out, and an access token
 * whose claims are well signed but not ids.
 */
import { JwtService } from '@nestjs/jwt';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from '../src/auth/access-token';
import { createCase } from '../src/client/case-flow';
import type { CaseSummaryResponse } from '../src/cases/dto/case.response';
import { ServerKeys } from '../src/common/config/server-keys';
import { readyCrypto } from '../src/crypto/protocol-hash';
import { newCase } from './cases/case-factory';
import { startCastApp, type CastApp } from './support/cast';
import { setUpEmbassyTeams, type EmbassyTeams } from './support/teams';
import { TEST_SERVER_SECRET } from './support/test-app';

let app: CastApp;
let teams: EmbassyTeams;
let created: CaseSummaryResponse;
let adminToken: string;

beforeAll(async () => {
  await readyCrypto();
  app = await startCastApp();
  teams = await setUpEmbassyTeams(app);
  created = await createCase(teams.sessions.contactA1, newCase('hostile-input'));
  adminToken = (await app.login('admin')).currentRawAccessToken;
});

afterAll(async () => {
  await app.close();
});

interface Answer {
  status: number;
  type: string | null;
  fields: string[];
  requestId: boolean;
}

async function send(method: string, path: string, options: { token?: string; raw?: string; body?: unknown } = {}): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const response = await app.request(path, { method, headers, body });
  const problem = (await response.json()) as { errors?: { field: string }[]; requestId?: string };
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    fields: (problem.errors ?? []).map((error) => error.field),
    requestId: typeof problem.requestId === 'string',
  };
}

const contact = (): string => teams.sessions.contactA1.currentRawAccessToken;

it('refuses JSON nested 2,000 deep on any route, before anything reads it', async () => {
  const deep = `${'['.repeat(2000)}${']'.repeat(2000)}`;
  for (const [method, path, token] of [
    ['POST', '/api/v1/auth/prelogin', undefined],
    ['POST', '/api/v1/cases', contact()],
    ['PATCH', `/api/v1/cases/${created.id}`, contact()],
  ] as const) {
    const answer = await send(method, path, { token, raw: `{"email": ${deep}}` });
    // The field named is where the limit was crossed: email.0.0.…
    expect({ path, ...answer }).toEqual({
      path,
      status: 400,
      type: expect.stringContaining('application/problem+json') as string,
      fields: [expect.stringMatching(/^email(\.0)+$/) as string],
      requestId: true,
    });
  }
});

it('refuses NUL characters and lone surrogates in any string of a body, naming the field', async () => {
  const refusals: [string, string, unknown, string, string | undefined][] = [
    ['POST', '/api/v1/admin/embassies', { name: 'Embassy\u0000', country: 'KE', city: 'Nairobi' }, 'name', adminToken],
    ['POST', '/api/v1/admin/organisations', { name: 'NGO \uD800', country: 'KE' }, 'name', adminToken],
    ['POST', '/api/v1/auth/prelogin', { email: 'someone\uDC00@example.org' }, 'email', undefined],
    ['POST', '/api/v1/auth/prelogin', { email: 'a@example.org', ['k\u0000']: 1 }, 'body', undefined],
    ['PATCH', `/api/v1/cases/${created.id}`, { version: created.version, threatTypes: ['OTHER', 'x\u0000'] }, 'threatTypes.1', contact()],
  ];
  for (const [method, path, body, field, token] of refusals) {
    const answer = await send(method, path, { token, body });
    expect({ path, field, status: answer.status, fields: answer.fields }).toEqual({ path, field, status: 400, fields: [field] });
  }
});

it('refuses a NUL in a query string or inside a cursor', async () => {
  await expect(send('GET', '/api/v1/cases?country=K%00', { token: contact() })).resolves.toMatchObject({ status: 400, fields: ['country'] });
  const cursor = Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000Z\u0000', created.id])).toString('base64url');
  await expect(send('GET', `/api/v1/cases?cursor=${cursor}`, { token: contact() })).resolves.toMatchObject({ status: 400, fields: ['cursor'] });
});

it('takes dates as YYYY-MM-DD or RFC 3339 date-times only', async () => {
  for (const date of ['2026-W01-1', '2026-123', '20260101', '2026-02-30', '2026-13-01', '2026-01-01T25:00Z', '2026-01-01T10:00']) {
    const answer = await send('PATCH', `/api/v1/cases/${created.id}`, { token: contact(), body: { version: created.version, nextReviewAt: date } });
    expect({ date, status: answer.status, fields: answer.fields }).toEqual({ date, status: 400, fields: ['nextReviewAt'] });
    const listed = await send('GET', `/api/v1/cases?reviewDueBefore=${encodeURIComponent(date)}`, { token: contact() });
    expect({ date, status: listed.status, fields: listed.fields }).toEqual({ date, status: 400, fields: ['reviewDueBefore'] });
  }
  const accepted = await app.request(`/api/v1/cases?reviewDueBefore=${encodeURIComponent('2031-03-01T10:00:00+02:00')}`, { headers: { authorization: `Bearer ${contact()}` } });
  expect(accepted.status).toBe(200);
});

it('refuses null where a nested value may only be left out', async () => {
  for (const field of ['blindIndexes', 'revision']) {
    const answer = await send('PATCH', `/api/v1/cases/${created.id}`, { token: contact(), body: { version: created.version, [field]: null } });
    expect({ field, status: answer.status, fields: answer.fields }).toEqual({ field, status: 400, fields: [field] });
  }
});

it('answers 401 to a well-signed access token whose subject or session is not an id', async () => {
  // Signed with the server's own key (the tests' secret), as a token leak or a bug could produce.
  const jwt = new JwtService({ secret: ServerKeys.fromSecret(TEST_SERVER_SECRET).deriveKeyObject('access-token-signing').export() });
  const sign = (claims: Record<string, unknown>): string =>
    jwt.sign(claims, { algorithm: 'HS256', issuer: ACCESS_TOKEN_ISSUER, audience: ACCESS_TOKEN_AUDIENCE, expiresIn: 60 });
  for (const claims of [
    { typ: 'access', sub: 'not-a-uuid', sid: teams.sessions.contactA1.user.id, ver: 0 },
    { typ: 'access', sub: teams.sessions.contactA1.user.id, sid: "x' OR 1=1", ver: 0 },
    { typ: 'access', sub: teams.sessions.contactA1.user.id, sid: teams.sessions.contactA1.user.id, ver: 1e300 },
  ]) {
    const answer = await send('GET', '/api/v1/auth/me', { token: sign(claims) });
    expect({ claims, status: answer.status }).toEqual({ claims, status: 401 });
  }
});
