/** Security headers on every response, errors included; CORS closed unless configured. */
import { startTestApp, type TestApp } from './support/test-app';

const expectSecurityHeaders = (response: Response, csp = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"): void => {
  expect(response.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('cache-control')).toContain('no-store');
  expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  expect(response.headers.get('content-security-policy')).toBe(csp);
};

describe('with defaults', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app.close();
  });

  it('sets them on success, on 404, on 400 and on 413', async () => {
    const ok = await app.request('/api/v1/health');
    expect(ok.status).toBe(200);
    expectSecurityHeaders(ok);
    const missing = await app.request('/api/v1/missing');
    expect(missing.status).toBe(404);
    expectSecurityHeaders(missing);
    const malformed = await app.request('/api/v1/health', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(malformed.status).toBe(400);
    expectSecurityHeaders(malformed);
    const tooLarge = await app.request('/api/v1/health', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ a: 'z'.repeat(1024 * 1024 + 10) }),
    });
    expect(tooLarge.status).toBe(413);
    expectSecurityHeaders(tooLarge);
  });

  it('relaxes the policy for the docs page only', async () => {
    const page = await app.request('/api/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const document = await app.request('/api/docs-json');
    expect(document.status).toBe(200);
    expectSecurityHeaders(document);
  });

  it('keeps CORS closed', async () => {
    const response = await app.request('/api/v1/health', { headers: { origin: 'https://evil.example' } });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await app.request('/api/v1/health', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('with CORS origins configured and docs off', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { CORS_ORIGINS: 'https://app.egide.example', API_DOCS: 'false' } });
  });
  afterAll(async () => {
    await app.close();
  });

  it('allows the configured origin only', async () => {
    const allowed = await app.request('/api/v1/health', { headers: { origin: 'https://app.egide.example' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.egide.example');
    const other = await app.request('/api/v1/health', { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves no docs', async () => {
    expect((await app.request('/api/docs')).status).toBe(404);
    expect((await app.request('/api/docs-json')).status).toBe(404);
  });
});
