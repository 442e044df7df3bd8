/**
 * The response check of the e2e suite (test/support/response-schema.ts) catches what it
 * must: a server on loopback answers like Egide but wrong (an undeclared field, a wrong
 * type, an undeclared status, a missing header), and the check, installed on
 * globalThis.fetch by the e2e setup file, records each, whether the call comes from a
 * test's fetch or from the SDK. Real responses of the real server pass.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpClient } from '../src/client/http-client';
import { takeResponseMismatches } from './support/response-schema';
import { startTestApp, type TestApp } from './support/test-app';

let app: TestApp;
let impostor: Server;
let impostorUrl: string;
/** What the impostor answers to GET /api/v1/health next. */
let next: { status: number; headers: Record<string, string>; body: string };

const HEALTHY_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'x-request-id': '5f0c6a1e-4d8b-4f5e-9a51-0c1d2e3f4a5b',
  'x-ratelimit-limit': '300',
  'x-ratelimit-remaining': '299',
  'x-ratelimit-reset': '60',
};

beforeAll(async () => {
  app = await startTestApp();
  impostor = createServer((_request, response) => {
    response.writeHead(next.status, next.headers).end(next.body);
  });
  await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
  impostorUrl = `http://127.0.0.1:${(impostor.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => impostor.close(() => resolve()));
  await app.close();
});

it('is installed on globalThis.fetch, and real responses pass it', async () => {
  expect((globalThis.fetch as { egideChecked?: boolean }).egideChecked).toBe(true);
  const live = await app.request('/api/v1/health');
  const refused = await app.request('/api/v1/auth/me');
  const invalid = await app.request('/api/v1/auth/prelogin', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":1}' });
  expect([live.status, refused.status, invalid.status]).toEqual([200, 401, 400]);
  expect(takeResponseMismatches()).toEqual([]);
});

it('records a body field the document does not declare', async () => {
  next = { status: 200, headers: HEALTHY_HEADERS, body: JSON.stringify({ status: 'ok', leaked: 'a column nobody mapped' }) };
  await fetch(`${impostorUrl}/api/v1/health`);
  expect(takeResponseMismatches()).toEqual([{ request: 'GET /api/v1/health → 200', problems: [expect.stringContaining('(leaked)')] }]);
});

it('records a field of the wrong type, through the SDK too', async () => {
  next = { status: 200, headers: HEALTHY_HEADERS, body: JSON.stringify({ status: 42 }) };
  await new HttpClient(impostorUrl).request('GET', '/health');
  expect(takeResponseMismatches()).toEqual([{ request: 'GET /api/v1/health → 200', problems: [expect.stringContaining('/status')] }]);
});

it('records an undeclared status and a missing required header', async () => {
  next = { status: 418, headers: HEALTHY_HEADERS, body: '' };
  await fetch(`${impostorUrl}/api/v1/health`);
  const { 'x-request-id': _dropped, ...withoutRequestId } = HEALTHY_HEADERS;
  next = { status: 200, headers: withoutRequestId, body: JSON.stringify({ status: 'ok' }) };
  await fetch(`${impostorUrl}/api/v1/health`);
  expect(takeResponseMismatches()).toEqual([
    { request: 'GET /api/v1/health → 418', problems: ['status 418 is not declared for GET /api/v1/health'] },
    { request: 'GET /api/v1/health → 200', problems: ['required header x-request-id is missing'] },
  ]);
});

it('records a problem answered as plain JSON', async () => {
  next = { status: 429, headers: { ...HEALTHY_HEADERS, 'retry-after': '5' }, body: JSON.stringify({ statusCode: 429, message: 'ThrottlerException' }) };
  await fetch(`${impostorUrl}/api/v1/health`);
  expect(takeResponseMismatches()).toEqual([
    { request: 'GET /api/v1/health → 429', problems: [expect.stringContaining('media type "application/json" is not declared')] },
  ]);
});
