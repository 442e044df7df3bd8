/**
 * Writes a rendered problem to a Fastify reply and logs what must be logged. Shared by
 * the Nest filter and Fastify's error handler so there is one way to answer an error.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE } from './problem';
import { describeUnexpected, renderProblem } from './problem-details';
import { securityHeadersFor } from './security-headers';

export function sendProblem(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { body, unexpected, headers } = renderProblem(error, request.id);
  if (unexpected) {
    request.log.error({ err: describeUnexpected(error) }, 'unexpected error while serving a request');
  }
  if (reply.sent) return;
  if (body.status === 429) setRetryAfter(reply);
  // Errors raised before routing (framework-errors.ts) have not been through the
  // onRequest hook that sets these: set them here too, so no error goes without.
  void reply
    .status(body.status)
    .headers(securityHeadersFor(request.url))
    .header('x-request-id', request.id)
    .headers(headers)
    .header('content-type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`)
    .send(JSON.stringify(body));
}

/**
 * The throttler names its header after the limit that tripped (Retry-After-credentials);
 * clients and proxies read the standard one, so it carries the longest wait.
 */
function setRetryAfter(reply: FastifyReply): void {
  if (reply.getHeader('retry-after') !== undefined) return;
  const waits = Object.entries(reply.getHeaders())
    .filter(([name]) => name.toLowerCase().startsWith('retry-after-'))
    .map(([, value]) => Number(value))
    .filter((value) => Number.isFinite(value));
  void reply.header('retry-after', String(Math.max(1, ...waits)));
}
