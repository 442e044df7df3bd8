/**
 * A request as the fuzzer builds it (a draft: path parameters, query pairs, headers,
 * body), and the bytes it becomes on the wire. Requests go over a plain socket, one
 * connection each (`Connection: close`), so that nothing between the fuzzer and the
 * server repairs them: no URL normalisation of `..` or bad percent-encoding, any method
 * token, conflicting length headers, raw bytes in a body. The response is read back
 * as status, headers and body, chunked or not.
 */
import { connect } from 'node:net';
import type { FuzzOperation } from './operations';

export type DraftBody = { kind: 'none' } | { kind: 'json'; value: unknown } | { kind: 'text'; text: string | Buffer };

export interface Draft {
  method: string;
  /** Path parameter values as they go on the wire (already percent-encoded). */
  pathParams: Record<string, string>;
  /** A whole path written by a mutation (it replaces template and parameters). */
  rawPath?: string;
  /** Query pairs as they go on the wire (already encoded); a pair without `=` has value undefined. */
  query: [string, string | undefined][];
  /** Lower-case names. `content-type` defaults to application/json for a JSON body. */
  headers: Record<string, string>;
  /** No Content-Type header at all, whatever the body. */
  omitContentType?: boolean;
  body: DraftBody;
  /** Raw JSON text spliced where the serialised body has the string `"<slot name>"`. */
  slots: Map<string, string | Buffer>;
  /** Header lines that replace Content-Length (framing mutations). */
  framing?: string[];
}

export function emptyDraft(operation: FuzzOperation): Draft {
  return { method: operation.method, pathParams: {}, query: [], headers: {}, body: { kind: 'none' }, slots: new Map() };
}

export function pathOf(operation: FuzzOperation, draft: Draft): string {
  if (draft.rawPath !== undefined) return draft.rawPath;
  return operation.template.replace(/\{(\w+)\}/g, (_, name: string) => draft.pathParams[name] ?? 'missing');
}

export function targetOf(operation: FuzzOperation, draft: Draft): string {
  const query = draft.query.map(([name, value]) => (value === undefined ? name : `${name}=${value}`)).join('&');
  return pathOf(operation, draft) + (draft.query.length > 0 ? `?${query}` : '');
}

/** The body's bytes, slots spliced in. */
export function bodyBytes(draft: Draft): Buffer | undefined {
  if (draft.body.kind === 'none') return undefined;
  if (draft.body.kind === 'text') return typeof draft.body.text === 'string' ? Buffer.from(draft.body.text, 'utf8') : draft.body.text;
  const text = JSON.stringify(draft.body.value) ?? '';
  const parts: Buffer[] = [];
  let rest = text;
  for (const [name, raw] of draft.slots) {
    const quoted = JSON.stringify(name);
    const at = rest.indexOf(quoted);
    if (at < 0) continue;
    parts.push(Buffer.from(rest.slice(0, at), 'utf8'), typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw);
    rest = rest.slice(at + quoted.length);
  }
  parts.push(Buffer.from(rest, 'utf8'));
  return Buffer.concat(parts);
}

export interface WireRequest {
  method: string;
  target: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  framing?: string[];
}

export function wireRequest(operation: FuzzOperation, draft: Draft): WireRequest {
  const body = bodyBytes(draft);
  const headers = { ...draft.headers };
  if (draft.omitContentType === true) delete headers['content-type'];
  else if (headers['content-type'] === undefined && draft.body.kind === 'json') headers['content-type'] = 'application/json';
  return { method: draft.method, target: targetOf(operation, draft), headers, body, framing: draft.framing };
}

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const RESPONSE_TIMEOUT_MS = 30_000;

export function send(host: string, port: number, request: WireRequest): Promise<WireResponse> {
  const lines = [`${request.method} ${request.target} HTTP/1.1`, `host: ${host}:${port}`, 'connection: close'];
  for (const [name, value] of Object.entries(request.headers)) lines.push(`${name}: ${value}`);
  if (request.framing !== undefined) lines.push(...request.framing);
  else if (request.body !== undefined) lines.push(`content-length: ${request.body.length}`);
  const head = Buffer.concat([
    Buffer.from(lines[0], 'utf8'),
    Buffer.from(`\r\n${lines.slice(1).join('\r\n')}\r\n\r\n`, 'latin1'),
  ]);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no response within ${RESPONSE_TIMEOUT_MS} ms`));
    }, RESPONSE_TIMEOUT_MS);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // The server may answer and close before the body is all written (413, 431): keep reading.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const response = parseResponse(Buffer.concat(chunks), request.method === 'HEAD');
      if (response === undefined) reject(new Error('the connection closed without an HTTP response'));
      else resolve(response);
    });
    socket.write(request.body === undefined ? head : Buffer.concat([head, request.body]));
  });
}

function parseResponse(bytes: Buffer, head: boolean): WireResponse | undefined {
  // An interim 1xx (100 Continue) comes before the answer.
  while (/^HTTP\/1\.[01] 1\d\d /.test(bytes.subarray(0, 16).toString('latin1')) && bytes.indexOf('\r\n\r\n') >= 0) {
    bytes = bytes.subarray(bytes.indexOf('\r\n\r\n') + 4);
  }
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...headerLines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (status === null) return undefined;
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  let body = head ? Buffer.alloc(0) : bytes.subarray(end + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = dechunk(body);
  else if (headers['content-length'] !== undefined) body = body.subarray(0, Number(headers['content-length']));
  return { status: Number(status[1]), headers, body: body.toString('utf8') };
}

function dechunk(bytes: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    const lineEnd = bytes.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = parseInt(bytes.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
