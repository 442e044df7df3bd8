/**
 * Rate-limit windows in PostgreSQL, shared by every instance of a deployment
 * (docs/operations.md, "Several instances"): one row per (limit, client) in the UNLOGGED
 * table `rate_limit_windows` (migration 1795909100000). Windows are fixed: the first hit
 * starts one, which lasts `ttl` (the row's `ends_at`, on PostgreSQL's clock).
 *
 * Two ways of counting, chosen per limit:
 * - **exact** (the credential limit, and every limit when RATE_LIMIT_SYNC_MS is 0): one
 *   upsert per hit returns the window's count, so concurrent hits on any instance are
 *   counted exactly (the row lock orders them);
 * - **batched** (the general limit): an instance counts hits in memory, decides on the
 *   shared count it last heard plus its own, and adds its hits to the shared rows every
 *   RATE_LIMIT_SYNC_MS in one statement, which returns each window's shared count. A hit
 *   on a window this instance has not heard of within the last interval (its first, or
 *   the first after a pause) is also sent at once, without waiting for the answer: the
 *   next hit is decided on a count at most one round trip old. No request waits for
 *   PostgreSQL. One statement per instance per interval instead of one per
 *   request: a busy client's row was a hot spot that capped every route at the rate
 *   PostgreSQL can update one row (docs/performance.md). The price: an instance learns
 *   of other instances' hits up to one interval late, so a client spreading a burst over
 *   N instances may pass the limit by what it sends to the other N−1 within one
 *   interval (never more than (N−1) × the limit), plus, on each instance, the hits of a
 *   window's first round trip. If PostgreSQL does not answer, the batched limit goes on
 *   counting per instance and the hits are added once it answers.
 *
 * Owns only that table's SQL and this instance's pending counts. Never stores a client
 * address: the key is an HMAC of it (rate-limit-key.ts).
 */
import { Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Pool } from 'pg';
import type { RateLimitKeys, ThrottlerStorageRecord } from './rate-limit-key';

/** Named (planned once per pooled connection), like the principal query. */
const HIT_STATEMENT = 'egide-rate-limit-hit';
// now() is the statement's start: one instant for every comparison in it. The window's
// remaining time is returned rather than its end, so that the two clocks never mix.
const HIT_SQL = `INSERT INTO rate_limit_windows AS w (key, ends_at, hits) VALUES ($1, now() + $2 * interval '1 millisecond', $3)
  ON CONFLICT (key) DO UPDATE
    SET hits = CASE WHEN w.ends_at > now() THEN w.hits + EXCLUDED.hits ELSE EXCLUDED.hits END,
        ends_at = CASE WHEN w.ends_at > now() THEN w.ends_at ELSE EXCLUDED.ends_at END
  RETURNING hits, greatest(0, extract(epoch FROM ends_at - now()) * 1000)::int AS ms_left`;
// The same for a batch. Keys arrive sorted, so that two instances flushing overlapping
// batches lock the rows in the same order (no deadlock); a key appears once per batch.
const FLUSH_STATEMENT = 'egide-rate-limit-flush';
const FLUSH_SQL = `INSERT INTO rate_limit_windows AS w (key, ends_at, hits)
    SELECT t.key, now() + t.ttl * interval '1 millisecond', t.hits FROM unnest($1::bytea[], $2::int[], $3::int[]) AS t(key, ttl, hits)
  ON CONFLICT (key) DO UPDATE
    SET hits = CASE WHEN w.ends_at > now() THEN w.hits + EXCLUDED.hits ELSE EXCLUDED.hits END,
        ends_at = CASE WHEN w.ends_at > now() THEN w.ends_at ELSE EXCLUDED.ends_at END
  RETURNING encode(key, 'hex') AS key, hits, greatest(0, extract(epoch FROM ends_at - now()) * 1000)::int AS ms_left`;
const PURGE_SQL = `DELETE FROM rate_limit_windows WHERE ends_at < now()`;
export const RATE_LIMIT_PURGE_INTERVAL_MS = 60_000;

/** This instance's view of one shared window (batched limits). */
interface LocalWindow {
  readonly key: Buffer;
  readonly ttl: number;
  /** Local clock (Date.now) at which the shared window ends, from its remaining time. */
  endsAt: number;
  /** The shared count at the last upsert, this instance's flushed hits included. */
  shared: number;
  /** Hits counted here and not yet sent to the shared row. */
  pending: number;
  /** Hits sent, whose statement has not answered yet. */
  sending: number;
  /** When this instance last heard the shared count (local clock). */
  syncedAt: number;
}

export interface PostgresThrottlerOptions {
  /** How often batched limits add their hits to the shared rows; 0: every limit exact. */
  readonly syncIntervalMs: number;
  /** Limits counted exactly whatever the interval (the credential limit). */
  readonly exactLimits: ReadonlySet<string>;
}

export class PostgresThrottlerStorage implements ThrottlerStorage, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(PostgresThrottlerStorage.name);
  private readonly windows = new Map<string, LocalWindow>();
  private purgeTimer: NodeJS.Timeout | undefined;
  private syncTimer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly keys: RateLimitKeys,
    private readonly options: PostgresThrottlerOptions = { syncIntervalMs: 0, exactLimits: new Set() },
  ) {}

  increment(key: string, ttl: number, limit: number, _blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    const id = this.keys.of(throttlerName, key);
    if (this.options.syncIntervalMs === 0 || this.options.exactLimits.has(throttlerName)) {
      return this.hit(id, ttl, 1).then(({ hits, msLeft }) => record(hits, msLeft, limit));
    }
    const mapKey = id.toString('hex');
    const now = Date.now();
    let window = this.windows.get(mapKey);
    if (window === undefined || window.endsAt <= now) {
      window = { key: id, ttl, endsAt: now + ttl, shared: 0, pending: 0, sending: 0, syncedAt: now };
      this.windows.set(mapKey, window);
    } else if (now - window.syncedAt < this.options.syncIntervalMs) {
      window.pending += 1;
      return Promise.resolve(record(counted(window), window.endsAt - now, limit));
    }
    // The first hit of a window on this instance, or the first since this instance last
    // heard the shared count an interval ago: sent at once, and decided without waiting
    // (syncedAt is set now, so that the hits meanwhile count here).
    window.syncedAt = now;
    window.pending += 1;
    void this.send([{ mapKey, window }]);
    return Promise.resolve(record(counted(window), window.endsAt - now, limit));
  }

  onApplicationBootstrap(): void {
    // Once only: the instance is both our provider and the throttler's storage, and Nest
    // calls each provider's hooks. unref: a timer never keeps a stopping process alive.
    if (this.purgeTimer !== undefined) return;
    this.purgeTimer = setInterval(() => void this.purge(), RATE_LIMIT_PURGE_INTERVAL_MS).unref();
    if (this.options.syncIntervalMs > 0) this.syncTimer = setInterval(() => void this.flush(), this.options.syncIntervalMs).unref();
  }

  /** Before the pool closes (TypeORM closes it on shutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.purgeTimer);
    clearInterval(this.syncTimer);
    // The hits counted since the last interval still count for the other instances. Twice:
    // the first may join a flush that began before the last hits.
    await this.flush();
    await this.flush();
  }

  /**
   * Adds the pending hits of every local window to the shared rows, in one statement, once
   * the hits already on their way have arrived (so that a flush awaited is a barrier).
   */
  flush(): Promise<void> {
    // One at a time: while PostgreSQL is slow, intervals do not pile flushes up.
    this.flushing ??= this.flushOnce().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    await Promise.all(this.inFlight);
    const now = Date.now();
    const batch: { mapKey: string; window: LocalWindow }[] = [];
    for (const [mapKey, window] of this.windows) {
      if (window.pending > 0) batch.push({ mapKey, window });
      // An ended window with nothing on its way is forgotten: the next hit starts afresh.
      else if (window.endsAt <= now && window.sending === 0) this.windows.delete(mapKey);
    }
    if (batch.length > 0) await this.send(batch);
  }

  /** Rows of windows that have ended; each instance may run it, the result is the same. */
  async purge(): Promise<void> {
    try {
      await this.pool.query(PURGE_SQL);
    } catch (error) {
      this.logger.warn(`rate-limit purge failed, retried in a minute: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async hit(key: Buffer, ttl: number, hits: number): Promise<{ hits: number; msLeft: number }> {
    const { rows } = await this.pool.query<{ hits: number; ms_left: number }>({ name: HIT_STATEMENT, text: HIT_SQL, values: [key, ttl, hits] });
    return { hits: rows[0].hits, msLeft: rows[0].ms_left };
  }

  /**
   * Sends the pending hits of `batch` in one statement and applies the shared counts it
   * returns. Hits that fail to arrive stay pending, for the next flush.
   */
  private send(batch: { mapKey: string; window: LocalWindow }[]): Promise<void> {
    // Sorted, so that two instances flushing overlapping batches lock rows in one order.
    const sorted = batch.sort((a, b) => (a.mapKey < b.mapKey ? -1 : a.mapKey > b.mapKey ? 1 : 0)).map((entry) => ({ ...entry, sent: entry.window.pending }));
    for (const { window, sent } of sorted) {
      window.pending -= sent;
      window.sending += sent;
    }
    const sending = this.pool
      .query<{ key: string; hits: number; ms_left: number }>({
        name: FLUSH_STATEMENT,
        text: FLUSH_SQL,
        values: [sorted.map((entry) => entry.window.key), sorted.map((entry) => entry.window.ttl), sorted.map((entry) => entry.sent)],
      })
      .then(
        ({ rows }) => {
          const shared = new Map(rows.map((row) => [row.key, row]));
          for (const { mapKey, window, sent } of sorted) {
            window.sending -= sent;
            const row = shared.get(mapKey);
            if (row !== undefined) observe(window, row.hits, row.ms_left);
          }
        },
        (error: unknown) => {
          for (const { window, sent } of sorted) {
            window.sending -= sent;
            window.pending += sent;
          }
          this.logger.warn(`rate-limit hits not shared yet, counted on this instance and retried: ${error instanceof Error ? error.message : String(error)}`);
        },
      )
      .finally(() => this.inFlight.delete(sending));
    this.inFlight.add(sending);
    return sending;
  }
}

/**
 * What PostgreSQL answered about a window: its shared count and remaining time. Answers
 * of one window may cross (a hit's and a flush's), so a count never goes down; a window
 * ending more than a second later than the one known is a new one.
 */
function observe(window: LocalWindow, hits: number, msLeft: number): void {
  const now = Date.now();
  const endsAt = now + msLeft;
  window.shared = endsAt > window.endsAt + 1_000 ? hits : Math.max(window.shared, hits);
  window.endsAt = endsAt;
  window.syncedAt = now;
}

/** What this instance counts for a window: the shared count it heard, and its own hits since. */
function counted(window: LocalWindow): number {
  return window.shared + window.pending + window.sending;
}

function record(hits: number, msLeft: number, limit: number): ThrottlerStorageRecord {
  const secondsLeft = Math.max(1, Math.ceil(msLeft / 1000));
  const isBlocked = hits > limit;
  return { totalHits: hits, timeToExpire: secondsLeft, isBlocked, timeToBlockExpire: isBlocked ? secondsLeft : 0 };
}
