/**
 * One log line per request, when it completes: id, method, path (no query string),
 * route, client address, status and time. Fastify's default writes two (incoming and
 * completed); at a few thousand requests a second the second write was a measurable
 * share of the CPU (docs/performance.md). Never a body, never a header.
 */
import type { FastifyInstance } from 'fastify';

export function registerRequestLog(fastify: FastifyInstance): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    request.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
    done();
  });
}
