/**
 * Per-IP rate limits (@nestjs/throttler): one budget for every route and a stricter one
 * for the routes that take credentials (login, enrolment, refresh, setup…), which
 * declare themselves with `@CredentialRoute()`: the route the router matched decides,
 * never the URL as sent (`/auth/%6Cogin` is the login route). The address is the
 * socket's: Fastify does not trust X-Forwarded-For unless deployment says so. The
 * windows are shared by every instance: in PostgreSQL, or in Redis when REDIS_URL is
 * set (docs/operations.md, "Several instances").
 */
import { Module, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { ThrottlerModuleOptions, ThrottlerStorage } from '@nestjs/throttler';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { APP_CONFIG } from '../config/app-config.module';
import type { AppConfig } from '../config/environment';
import { ServerKeys } from '../config/server-keys';
import { PostgresThrottlerStorage } from './postgres-throttler-storage';
import { RateLimitKeys } from './rate-limit-key';
import { RedisThrottlerStorage } from './redis-throttler-storage';

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

export const RATE_LIMIT_STORAGE = Symbol('RATE_LIMIT_STORAGE');

function rateLimitStorage(config: AppConfig, serverKeys: ServerKeys, dataSource: DataSource): ThrottlerStorage {
  const keys = new RateLimitKeys(serverKeys.deriveKeyObject('rate-limit-key'));
  if (config.redisUrl !== undefined) return new RedisThrottlerStorage(config.redisUrl, keys);
  // The application's own pool: a hit or a flush is one short statement, like any query.
  // The credential limit guards guessing: always exact, and its routes are rare and slow.
  return new PostgresThrottlerStorage((dataSource.driver as PostgresDriver).master as Pool, keys, {
    syncIntervalMs: config.rateLimitSyncMs,
    exactLimits: new Set([CREDENTIAL_LIMIT]),
  });
}

/** The shared storage as a provider, so that Nest starts and stops it (connection, purge timer). */
@Module({
  providers: [{ provide: RATE_LIMIT_STORAGE, useFactory: rateLimitStorage, inject: [APP_CONFIG, ServerKeys, getDataSourceToken()] }],
  exports: [RATE_LIMIT_STORAGE],
})
export class RateLimitStorageModule {}

export function rateLimits(config: AppConfig, storage: ThrottlerStorage): ThrottlerModuleOptions {
  return {
    storage,
    // One budget per client address and limit, across routes (the default key is per
    // route, which would give a guesser a fresh budget on every credential route).
    generateKey: (_context, tracker, throttlerName) => `${throttlerName}:${tracker}`,
    throttlers: [
      { name: GENERAL_LIMIT, ttl: RATE_LIMIT_WINDOW_MS, limit: config.rateLimitPerMinute },
      { name: CREDENTIAL_LIMIT, ttl: RATE_LIMIT_WINDOW_MS, limit: config.authRateLimitPerMinute, skipIf: (context) => !isCredentialRoute(context) },
    ],
  };
}
