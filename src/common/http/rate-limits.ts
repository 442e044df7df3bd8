/**
 * Per-IP rate limits (@nestjs/throttler, in memory): one budget for every route and a
 * stricter one for the routes that take credentials (/auth/*, /setup). The address is
 * the socket's: Fastify does not trust X-Forwarded-For unless deployment says so.
 * Counters live in this process; several instances need a shared store (Redis) —
 * docs/operations.md.
 */
import type { ExecutionContext } from '@nestjs/common';
import type { ThrottlerModuleOptions } from '@nestjs/throttler';
import type { AppConfig } from '../config/environment';

const CREDENTIAL_ROUTES = /^\/api\/v1\/(auth\/|setup(\/|$|\?))/;

function isCredentialRoute(context: ExecutionContext): boolean {
  return CREDENTIAL_ROUTES.test(context.switchToHttp().getRequest<{ url: string }>().url);
}

export function rateLimits(config: AppConfig): ThrottlerModuleOptions {
  return {
    throttlers: [
      { name: 'api', ttl: 60_000, limit: config.rateLimitPerMinute },
      { name: 'credentials', ttl: 60_000, limit: config.authRateLimitPerMinute, skipIf: (context) => !isCredentialRoute(context) },
    ],
  };
}
