/**
 * Security headers on every response, errors included: they are set in `onRequest`,
 * before routing, so a 404, a body-parsing 400 or a 500 carries them as a 200 does.
 * The API answers JSON only, so the policy is "nothing may load"; the OpenAPI page
 * alone gets a policy that lets its own scripts and styles run.
 */
import type { FastifyInstance } from 'fastify';

export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/** swagger-ui serves its own files and one inline style block. */
export const DOCS_CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export const DOCS_PATH = '/api/docs';

const COMMON_HEADERS: Record<string, string> = {
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), interest-cohort=()',
};

/** The headers every response carries, for the path asked (the docs page has its own CSP). */
export function securityHeadersFor(url: string): Record<string, string> {
  const path = url.split('?', 1)[0];
  const isDocsPage = path === DOCS_PATH || (path.startsWith(`${DOCS_PATH}/`) && path !== `${DOCS_PATH}-json`);
  return {
    ...COMMON_HEADERS,
    'content-security-policy': isDocsPage ? DOCS_CONTENT_SECURITY_POLICY : API_CONTENT_SECURITY_POLICY,
  };
}

export function registerSecurityHeaders(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.headers(securityHeadersFor(request.url)).header('x-request-id', request.id);
    done();
  });
}
