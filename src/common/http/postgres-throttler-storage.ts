/**
 * Rate-limit windows in PostgreSQL, shared by every instance of a deployment
 * (docs/operations.md, "Several instances"): one row per (limit, client) in the UNLOGGED
 * table `rate_limit_windows` (migration 1795909100000), moved by one upsert per request
 * that returns the window's count, so that concurrent requests on any instance are
 * counted exactly (the row lock orders them). Windows are fixed: the first hit starts
 * one, which lasts `ttl` (as the in-memory storage did). Expired rows are reset by the
 * next hit and purged every minute by each instance.
 *
 * Owns only that table's SQL. Never stores a client address: the key is an HMAC of it
 * (rate-limit-key.ts).
 */
import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Pool } from 'pg';
import type { RateLimitKeys, ThrottlerStorageRecord } from './rate-limit-key';

/** Named (planned once per pooled connection), like the principal query. */
const HIT_STATEMENT = 'egide-rate-limit-hit';
// now() is the statement's start: one instant for every comparison in it.
const HIT_SQL = `INSERT INTO rate_limit_windows AS w (key, ends_at, hits) VALUES ($1, now() + $2 * interval '1 millisecond', 1)
  ON CONFLICT (key) DO UPDATE
    SET hits = CASE WHEN w.ends_at > now() THEN w.hits + 1 ELSE 1 END,
        ends_at = CASE WHEN w.ends_at > now() THEN w.ends_at ELSE EXCLUDED.ends_at END
  RETURNING hits, greatest(1, ceil(extract(epoch FROM ends_at - now())))::int AS seconds_left`;
const PURGE_SQL = `DELETE FROM rate_limit_windows WHERE ends_at < now()`;
export const RATE_LIMIT_PURGE_INTERVAL_MS = 60_000;

export class PostgresThrottlerStorage implements ThrottlerStorage, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PostgresThrottlerStorage.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly keys: RateLimitKeys,
  ) {}

  async increment(key: string, ttl: number, limit: number, _blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    const { rows } = await this.pool.query<{ hits: number; seconds_left: number }>({
      name: HIT_STATEMENT,
      text: HIT_SQL,
      values: [this.keys.of(throttlerName, key), ttl],
    });
    const { hits, seconds_left: secondsLeft } = rows[0];
    const isBlocked = hits > limit;
    return { totalHits: hits, timeToExpire: secondsLeft, isBlocked, timeToBlockExpire: isBlocked ? secondsLeft : 0 };
  }

  onApplicationBootstrap(): void {
    // Once only: the instance is both our provider and the throttler's storage, and Nest
    // calls each provider's hooks. unref: a pending purge never keeps a stopping process alive.
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => void this.purge(), RATE_LIMIT_PURGE_INTERVAL_MS).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Rows of windows that have ended; each instance may run it, the result is the same. */
  async purge(): Promise<void> {
    try {
      await this.pool.query(PURGE_SQL);
    } catch (error) {
      this.logger.warn(`rate-limit purge failed, retried in a minute: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
