/**
 * Errors raised before any route runs — by Node's HTTP parser, Fastify's router or its
 * content-type parsers — answer like every other error: problem+json with the security
 * headers and a request id, and never the URL or a header echoed back. Sent over a raw
 * socket, since fetch refuses to send most of these requests.
 */
import { connect } from 'node:net';
import { ProbeModule } from '../probe/probe.module';
import { startTestApp, type TestApp } from '../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.close();
});

interface RawResponse {
  status: number;
  headers: Map<string, string>;
  body: string;
}

/** Sends bytes as they are and reads the answer until the server closes the connection. */
function sendRaw(text: string): Promise<RawResponse> {
  const { port } = new URL(app.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const [head, ...rest] = raw.split('\r\n\r\n');
      const [statusLine, ...headerLines] = head.split('\r\n');
      const headers = new Map(
        headerLines.map((line) => {
          const colon = line.indexOf(':');
          return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()] as const;
        }),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
    socket.end(text);
  });
}

const request = (line: string, headers: string[] = [], body = ''): string =>
  [line, 'Host: egide.test', 'Connection: close', ...headers, '', body].join('\r\n');

const SECRET_PATH = 'canary-path-Zq8v';

const CASES: { name: string; raw: string; status: number; type: string }[] = [
  { name: 'an unknown route', raw: request(`GET /api/v1/${SECRET_PATH} HTTP/1.1`), status: 404, type: 'not-found' },
  { name: 'a known path with another method', raw: request('DELETE /api/v1/health HTTP/1.1'), status: 404, type: 'not-found' },
  { name: 'a WebDAV method', raw: request('PROPFIND /api/v1/health HTTP/1.1'), status: 404, type: 'not-found' },
  { name: 'a method HTTP does not know', raw: request(`FROB /api/v1/${SECRET_PATH} HTTP/1.1`), status: 400, type: 'malformed-request' },
  { name: 'bad percent-encoding in the path', raw: request(`GET /api/v1/cases/%C3%28${SECRET_PATH} HTTP/1.1`), status: 400, type: 'malformed-request' },
  { name: 'a path segment over the limit', raw: request(`GET /api/v1/cases/${SECRET_PATH}${'a'.repeat(300)} HTTP/1.1`), status: 414, type: 'uri-too-long' },
  { name: 'a URL over the limit', raw: request(`GET /api/v1/health?${SECRET_PATH}=${'a'.repeat(5000)} HTTP/1.1`), status: 414, type: 'uri-too-long' },
  { name: 'a request line over the header limit', raw: request(`GET /api/v1/${SECRET_PATH}${'a'.repeat(20000)} HTTP/1.1`), status: 414, type: 'uri-too-long' },
  { name: 'headers over the limit', raw: request('GET /api/v1/health HTTP/1.1', [`X-Filler: ${SECRET_PATH}${'a'.repeat(20000)}`]), status: 431, type: 'header-fields-too-large' },
  {
    name: 'two different Content-Length headers',
    raw: request('POST /api/v1/auth/prelogin HTTP/1.1', ['Content-Type: application/json', 'Content-Length: 2', 'Content-Length: 5'], '{}'),
    status: 400,
    type: 'malformed-request',
  },
  {
    name: 'Content-Length with chunked encoding',
    raw: request('POST /api/v1/auth/prelogin HTTP/1.1', ['Content-Type: application/json', 'Content-Length: 2', 'Transfer-Encoding: chunked'], '{}'),
    status: 400,
    type: 'malformed-request',
  },
  { name: 'a request line that is not HTTP', raw: `${SECRET_PATH}\r\n\r\n`, status: 400, type: 'malformed-request' },
  {
    name: 'a text/plain body',
    raw: request('POST /api/v1/auth/prelogin HTTP/1.1', ['Content-Type: text/plain', `Content-Length: ${SECRET_PATH.length}`], SECRET_PATH),
    status: 415,
    type: 'unsupported-media-type',
  },
  {
    name: 'a form body',
    raw: request('POST /api/v1/auth/prelogin HTTP/1.1', ['Content-Type: application/x-www-form-urlencoded', 'Content-Length: 3'], 'a=b'),
    status: 415,
    type: 'unsupported-media-type',
  },
  {
    name: 'a body without a content type',
    raw: request('POST /api/v1/auth/prelogin HTTP/1.1', ['Content-Length: 2'], '{}'),
    status: 415,
    type: 'unsupported-media-type',
  },
];

describe('errors before routing are problem+json with the security headers', () => {
  it.each(CASES)('$name → $status $type', async ({ raw, status, type }) => {
    const response = await sendRaw(raw);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'; base-uri 'none'");
    expect(response.headers.get('strict-transport-security')).toContain('max-age=');
    const body = JSON.parse(response.body) as Record<string, unknown>;
    expect(body).toEqual({
      type: `urn:egide:problem:${type}`,
      title: expect.any(String),
      status,
      detail: expect.any(String),
      requestId: response.headers.get('x-request-id'),
    });
    // Neither the URL nor any header or body content comes back, and no class name.
    expect(response.body).not.toContain(SECRET_PATH);
    expect(body.detail).not.toMatch(/Exception|Error|FST_|HPE_/);
  });

  it('keeps the connection usable for well-formed requests afterwards', async () => {
    const response = await sendRaw(request('GET /api/v1/health HTTP/1.1'));
    expect(response.status).toBe(200);
  });
});

describe('while shutting down', () => {
  it('answers a request still arriving on an open connection with 503 problem+json, then closes it', async () => {
    const closingApp = await startTestApp({ additionalModules: [ProbeModule] });
    try {
      const { port } = new URL(closingApp.url);
      const socket = connect(Number(port), '127.0.0.1');
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      const ended = new Promise((resolve) => socket.on('close', resolve));
      // A slow request keeps the connection busy (so shutdown does not close it as idle);
      // a second one, pipelined behind it, arrives once shutdown has begun.
      socket.write('GET /api/v1/probe/slow?ms=600 HTTP/1.1\r\nHost: egide.test\r\n\r\n');
      await new Promise((resolve) => setTimeout(resolve, 150));
      const closing = closingApp.server.close();
      await new Promise((resolve) => setTimeout(resolve, 100));
      socket.write('GET /api/v1/health HTTP/1.1\r\nHost: egide.test\r\n\r\n');
      await ended;
      await closing;
      const responses = Buffer.concat(chunks).toString('utf8').split(/(?=HTTP\/1\.1 )/);
      expect(responses).toHaveLength(2);
      expect(responses[0]).toMatch(/^HTTP\/1\.1 200 /);
      const [head, body] = responses[1].split('\r\n\r\n');
      expect(head).toMatch(/^HTTP\/1\.1 503 /);
      expect(head.toLowerCase()).toContain('content-type: application/problem+json');
      expect(head.toLowerCase()).toContain('x-content-type-options: nosniff');
      expect(head.toLowerCase()).toContain('connection: close');
      expect(JSON.parse(body)).toEqual(expect.objectContaining({ type: 'urn:egide:problem:service-unavailable', status: 503 }));
    } finally {
      await closingApp.close();
    }
  });
});
