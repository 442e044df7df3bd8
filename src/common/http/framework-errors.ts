/**
 * The errors Fastify and Node's HTTP parser raise before any route runs, answered like
 * every other error: `application/problem+json` with the security headers and a request
 * id, never the URL or a header echoed back.
 *
 * - `frameworkErrors`: the router could not decode the path (bad percent-encoding) or a
 *   path parameter is over `MAX_PATH_PARAM_LENGTH`. Fastify's default writes plain JSON
 *   quoting the URL.
 * - `clientErrorHandler`: Node's parser refused the request itself (an unknown method,
 *   conflicting Content-Length headers, Content-Length with chunked encoding, a request
 *   line or headers over the size limit, a request that never finished arriving). There
 *   is no request object yet: the answer is written to the socket, which is then closed.
 * - `refuseLongUrls`: a URL over `MAX_URL_LENGTH` is refused (414) before routing.
 * - `refuseWhileClosing`: once shutdown has begun, a request arriving on a connection
 *   that is still open answers 503 and the connection is closed.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_PREFIX, PROBLEMS, ProblemException, type ProblemCode } from './problem';
import { GENERIC_DETAILS } from './problem-details';
import { securityHeadersFor } from './security-headers';
import { sendProblem } from './send-problem';

/** docs/api.md: longer URLs answer 414. Ids are 36 characters; the longest query is far shorter. */
export const MAX_URL_LENGTH = 4096;
/** One path segment (an id, a reference). Longer answers 414. */
export const MAX_PATH_PARAM_LENGTH = 200;

export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  sendProblem(error, request, reply);
}

export function refuseLongUrls(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    done(request.url.length > MAX_URL_LENGTH ? new ProblemException('uri-too-long', GENERIC_DETAILS['uri-too-long']) : undefined);
  });
}

export function refuseWhileClosing(fastify: FastifyInstance): void {
  let closing = false;
  // preClose runs when close() begins, before the server stops accepting.
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onRequest', (_request, reply, done) => {
    if (!closing) {
      done();
      return;
    }
    void reply.header('connection', 'close');
    done(new ProblemException('service-unavailable', 'The server is shutting down; try again shortly'));
  });
}

interface ParserError extends Error {
  code?: string;
  /** The bytes the parser had read (a Buffer; typed loosely by Fastify). */
  rawPacket?: unknown;
}

/** Which problem a refusal of Node's HTTP parser is (llhttp's codes). */
function problemForParserError(error: ParserError): ProblemCode {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'request-timeout';
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    // The request line counts towards the header limit: a URL that long is a 414.
    const packet = error.rawPacket;
    const lineEnd = Buffer.isBuffer(packet) ? packet.indexOf('\r\n') : -1;
    return lineEnd === -1 || lineEnd > MAX_URL_LENGTH ? 'uri-too-long' : 'header-fields-too-large';
  }
  return 'malformed-request';
}

export function clientErrorHandler(error: ParserError, socket: Socket): void {
  // A reset or closed connection has no one to answer. Nothing is logged: anyone can
  // send garbage, and a line per refusal would let them flood the log.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const code = problemForParserError(error);
  const { status, title } = PROBLEMS[code];
  const requestId = randomUUID();
  if (socket.writable) {
    const body = JSON.stringify({ type: PROBLEM_TYPE_PREFIX + code, title, status, detail: GENERIC_DETAILS[code], requestId });
    const headers: Record<string, string> = {
      ...securityHeadersFor('/'),
      'x-request-id': requestId,
      'content-type': `${PROBLEM_CONTENT_TYPE}; charset=utf-8`,
      'content-length': String(Buffer.byteLength(body)),
      connection: 'close',
    };
    const head = Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}`)
      .join('\r\n');
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? title}\r\n${head}\r\n\r\n${body}`);
  }
  socket.destroy(error);
}
