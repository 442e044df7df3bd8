/**
 * Per-IP rate limits (@nestjs/throttler, in memory): one budget for every route and a
 * stricter one for the routes that take credentials (login, enrolment, refresh, setup…),
 * which declare themselves with `@CredentialRoute()`: the route the router matched
 * decides, never the URL as sent (`/auth/%6Cogin` is the login route). The address is
 * the socket's: Fastify does not trust X-Forwarded-For unless deployment says so.
 * Counters live in this process; several instances need a shared store (Redis) —
 * docs/operations.md.
 */
import { SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { ThrottlerModuleOptions } from '@nestjs/throttler';
import type { AppConfig } from '../config/environment';
import { FixedWindowThrottlerStorage } from './fixed-window-throttler-storage';

export const CREDENTIAL_ROUTE = 'egide:credential-route';

/**
 * The throttlers' names, which name their headers. The general limit is the throttler's
 * `default`, whose headers carry no suffix: the standard `X-RateLimit-Limit`,
 * `-Remaining`, `-Reset` and `Retry-After` that clients and proxies read. The credential
 * limit's headers end in `-credentials` (docs/api.md, "OpenAPI").
 */
export const GENERAL_LIMIT = 'default';
export const CREDENTIAL_LIMIT = 'credentials';
/** Both limits count requests in fixed windows of this length. */
export const RATE_LIMIT_WINDOW_MS = 60_000;

/**
 * The window of each client address's budget of failed sign-ins (docs/identity.md, "Brute
 * force"), a rate-limit setting like the two above: auth counts in it (sign-in-address.ts),
 * and the OpenAPI document states it as the longest Retry-After of a credential route.
 */
export const SIGN_IN_ADDRESS_WINDOW_MS = 60 * 60 * 1000;

/** Marks a route that takes a credential (an authKey, a code, a token): a guessing target. */
export const CredentialRoute = (): MethodDecorator => SetMetadata(CREDENTIAL_ROUTE, true);

function isCredentialRoute(context: ExecutionContext): boolean {
  return Reflect.getMetadata(CREDENTIAL_ROUTE, context.getHandler()) === true;
}

export function rateLimits(config: AppConfig): ThrottlerModuleOptions {
  return {
    storage: new FixedWindowThrottlerStorage(),
    // One budget per client address and limit, across routes (the default key is per
    // route, which would give a guesser a fresh budget on every credential route).
    generateKey: (_context, tracker, throttlerName) => `${throttlerName}:${tracker}`,
    throttlers: [
      { name: GENERAL_LIMIT, ttl: RATE_LIMIT_WINDOW_MS, limit: config.rateLimitPerMinute },
      { name: CREDENTIAL_LIMIT, ttl: RATE_LIMIT_WINDOW_MS, limit: config.authRateLimitPerMinute, skipIf: (context) => !isCredentialRoute(context) },
    ],
  };
}
