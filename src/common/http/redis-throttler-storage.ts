/**
 * Rate-limit windows in Redis, when REDIS_URL is set (docs/operations.md, "Several
 * instances"): one key per (limit, client), incremented and given its expiry by one Lua
 * script, so that a hit is a single round trip and windows are shared by every instance
 * exactly as in PostgreSQL (the first hit starts a fixed window of `ttl`; Redis expires
 * the key). Owns its connection and nothing else; keys are HMACs of the client
 * (rate-limit-key.ts), never addresses.
 *
 * While Redis does not answer, requests fail (500) after a one-second timeout instead of
 * going unlimited or queueing: a rate limit that silently stops limiting is worse than an
 * outage an operator sees.
 */
import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import Redis from 'ioredis';
import type { RateLimitKeys, ThrottlerStorageRecord } from './rate-limit-key';

const KEY_PREFIX = 'egide:rate-limit:';
// INCR creates the key without expiry on the first hit of a window: give it one. A key
// left without one (never, but cheaply repaired) gets one too.
const HIT_SCRIPT = `local hits = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {hits, ttl}`;

interface RateLimitRedis extends Redis {
  egideRateLimitHit(key: string, ttlMs: number): Promise<[number, number]>;
}

export class RedisThrottlerStorage implements ThrottlerStorage, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RedisThrottlerStorage.name);
  private readonly redis: RateLimitRedis;
  private connecting: Promise<void> | undefined;
  private lastError: string | undefined;

  constructor(
    url: string,
    private readonly keys: RateLimitKeys,
  ) {
    const redis = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 1_000, connectTimeout: 5_000 });
    // Defined commands run by EVALSHA, falling back to EVAL once per connection.
    redis.defineCommand('egideRateLimitHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
    // ioredis reconnects by itself; said once per kind of failure (the message names the
    // host and port, never the URL's password), and once when it is back.
    redis.on('error', (error: Error) => {
      if (error.message === this.lastError) return;
      this.lastError = error.message;
      this.logger.warn(`Redis (rate limits): ${error.message}; requests fail until it answers`);
    });
    redis.on('ready', () => {
      if (this.lastError !== undefined) this.logger.log('Redis (rate limits) answers again');
      this.lastError = undefined;
    });
    this.redis = redis as RateLimitRedis;
  }

  /**
   * Fails the start when Redis cannot be reached: REDIS_URL says the limits live there.
   * Once only: the instance is both our provider and the throttler's storage, and Nest
   * calls each provider's hooks.
   */
  onApplicationBootstrap(): Promise<void> {
    this.connecting ??= this.redis.connect();
    return this.connecting;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  async increment(key: string, ttl: number, limit: number, _blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    const redisKey = KEY_PREFIX + this.keys.of(throttlerName, key).toString('base64url');
    const [hits, millisecondsLeft] = await this.redis.egideRateLimitHit(redisKey, ttl);
    const secondsLeft = Math.max(1, Math.ceil(millisecondsLeft / 1000));
    const isBlocked = hits > limit;
    return { totalHits: hits, timeToExpire: secondsLeft, isBlocked, timeToBlockExpire: isBlocked ? secondsLeft : 0 };
  }
}
