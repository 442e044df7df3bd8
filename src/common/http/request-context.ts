/**
 * What the audit trail needs to know about the request it runs in, without every
 * service passing it down: the client's address, as Fastify computed it (the socket's,
 * or the forwarded one when the peer is a trusted proxy: TRUSTED_PROXIES). Held in an
 * AsyncLocalStorage entered in `onRequest`, so everything the request awaits sees it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance } from 'fastify';

interface RequestContext {
  readonly clientAddress: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function registerRequestContext(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    // The rest of the request's life runs inside `done`, hence inside the context.
    storage.run({ clientAddress: request.ip }, done);
  });
}

/** The current request's client address; null outside a request (start-up, timers). */
export function currentClientAddress(): string | null {
  return storage.getStore()?.clientAddress ?? null;
}
