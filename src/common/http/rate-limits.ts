/**
 * Per-IP rate limits (@nestjs/throttler, in memory): one budget for every route and a
 * stricter one for the routes that take credentials (login, enrolment, refresh, setup…). The address is
 * the socket's: Fastify does not trust X-Forwarded-For unless deployment says so.
 * Counters live in this process; several instances need a shared store (Redis) —
 * docs/operations.md.
 */
import type { ExecutionContext } from '@nestjs/common';
import type { ThrottlerModuleOptions } from '@nestjs/throttler';
import type { AppConfig } from '../config/environment';
import { FixedWindowThrottlerStorage } from './fixed-window-throttler-storage';

/** Routes that take a credential (an authKey, a code, a token): guessing targets. */
const CREDENTIAL_ROUTES = /^\/api\/v1\/(setup|auth\/(enrol|totp\/confirm|prelogin|login|refresh|password|recovery\/begin|recovery\/complete))(\/|\?|$)/;

function isCredentialRoute(context: ExecutionContext): boolean {
  return CREDENTIAL_ROUTES.test(context.switchToHttp().getRequest<{ url: string }>().url);
}

export function rateLimits(config: AppConfig): ThrottlerModuleOptions {
  return {
    storage: new FixedWindowThrottlerStorage(),
    // One budget per client address and limit, across routes (the default key is per
    // route, which would give a guesser a fresh budget on every credential route).
    generateKey: (_context, tracker, throttlerName) => `${throttlerName}:${tracker}`,
    throttlers: [
      { name: 'api', ttl: 60_000, limit: config.rateLimitPerMinute },
      { name: 'credentials', ttl: 60_000, limit: config.authRateLimitPerMinute, skipIf: (context) => !isCredentialRoute(context) },
    ],
  };
}
