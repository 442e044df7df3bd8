/**
 * Every error is application/problem+json with type, title, status, detail and the
 * request id; bad input is a 4xx naming the field; the unexpected is a generic 500.
 */
import { PROBE_FAILURE_SECRET, ProbeModule } from './probe/probe.module';
import { startTestApp, type TestApp } from './support/test-app';

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  requestId: string;
  errors?: { field: string; messages: string[] }[];
}

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ additionalModules: [ProbeModule] });
});

afterAll(async () => {
  await app.close();
});

async function expectProblem(response: Response, status: number, type: string): Promise<Problem> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = (await response.json()) as Problem;
  expect(body).toEqual(
    expect.objectContaining({ type: `urn:egide:problem:${type}`, status, title: expect.any(String), detail: expect.any(String) }),
  );
  expect(body.requestId).toBe(response.headers.get('x-request-id'));
  return body;
}

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

const validBody = { title: 'ok', level: 'LOW', members: [{ name: 'a' }] };

describe('problem+json', () => {
  it('accepts a valid body', async () => {
    const response = await app.request('/api/v1/probe/echo', json(validBody));
    expect(response.status).toBe(201);
    await expect(response.json()).resolves.toEqual(validBody);
  });

  it('answers malformed JSON with 400', async () => {
    await expectProblem(await app.request('/api/v1/probe/echo', json('{"title": ')), 400, 'malformed-request');
  });

  it('names an unknown property', async () => {
    const body = await expectProblem(
      await app.request('/api/v1/probe/echo', json({ ...validBody, isAdmin: true })),
      400,
      'validation-failed',
    );
    expect(body.errors).toEqual([{ field: 'isAdmin', messages: ['property isAdmin should not exist'] }]);
  });

  it('names every offending field, nested ones by path, without echoing values', async () => {
    const body = await expectProblem(
      await app.request(
        '/api/v1/probe/echo',
        json({ title: 'x'.repeat(51), level: 'MIDDLE', members: [{ name: 'ok' }, { name: 7 }] }),
      ),
      400,
      'validation-failed',
    );
    expect(body.errors?.map((error) => error.field).sort()).toEqual(['level', 'members.1.name', 'title']);
    expect(JSON.stringify(body)).not.toContain('x'.repeat(51));
  });

  it('refuses a body over 1 MiB with 413', async () => {
    const big = JSON.stringify({ ...validBody, title: 'y'.repeat(1024 * 1024) });
    await expectProblem(await app.request('/api/v1/probe/echo', json(big)), 413, 'payload-too-large');
  });

  it('refuses a content type other than JSON with 415', async () => {
    await expectProblem(
      await app.request('/api/v1/probe/echo', { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<a/>' }),
      415,
      'unsupported-media-type',
    );
  });

  it('answers an unknown route with 404', async () => {
    await expectProblem(await app.request('/api/v1/no-such-thing'), 404, 'not-found');
    await expectProblem(await app.request('/elsewhere'), 404, 'not-found');
  });

  it('answers a wrong method with 404', async () => {
    await expectProblem(await app.request('/api/v1/health', { method: 'DELETE' }), 404, 'not-found');
    await expectProblem(await app.request('/api/v1/health', json({})), 404, 'not-found');
  });

  it('turns an unexpected error into a generic 500 and logs it with the request id', async () => {
    const requestId = 'probe-failure-0001';
    const response = await app.request('/api/v1/probe/fail', { headers: { 'x-request-id': requestId } });
    const body = await expectProblem(response, 500, 'internal-error');
    expect(body.requestId).toBe(requestId);
    const text = JSON.stringify(body);
    expect(text).not.toContain(PROBE_FAILURE_SECRET);
    expect(text).not.toMatch(/stack|at \w+ \(/);
    const logged = app.log.entries().find((entry) => entry.reqId === requestId && entry.level === 50);
    expect(logged).toBeDefined();
    expect(JSON.stringify(logged)).toContain(PROBE_FAILURE_SECRET);
  });
});

describe('request ids', () => {
  it('keeps a well-formed X-Request-Id and replaces a malformed one', async () => {
    const kept = await app.request('/api/v1/health', { headers: { 'x-request-id': 'client-abc-12345' } });
    expect(kept.headers.get('x-request-id')).toBe('client-abc-12345');
    const replaced = await app.request('/api/v1/health', { headers: { 'x-request-id': 'bad id\twith "quotes"' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('logging', () => {
  it('logs requests as JSON with ids but never bodies or credentials', async () => {
    const canary = 'CANARY-body-7f3a9';
    await app.request('/api/v1/probe/echo', {
      ...json({ ...validBody, title: canary }),
      headers: { 'content-type': 'application/json', authorization: 'Bearer CANARY-token-1b2c', cookie: 'sid=CANARY-cookie-9d8e' },
    });
    const text = app.log.text();
    expect(text).toContain('/api/v1/probe/echo');
    expect(text).not.toContain(canary);
    expect(text).not.toContain('CANARY-token-1b2c');
    expect(text).not.toContain('CANARY-cookie-9d8e');
    expect(app.log.entries().every((entry) => typeof entry.level === 'number')).toBe(true);
  });
});
