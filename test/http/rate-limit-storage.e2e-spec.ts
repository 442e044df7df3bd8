/**
 * The shared rate-limit storages against the real stores: PostgreSQL (a cloned test
 * database) and the local Redis (127.0.0.1:6379). Fixed windows: counted per client and
 * limit, refused past the limit, a fresh window once the first hit's window has ended;
 * and the stores hold an HMAC of the client, never its address. In PostgreSQL, the
 * general limit's batching too: two instances that share their hits every interval.
 */
import { createSecretKey, randomBytes } from 'node:crypto';
import type { ThrottlerStorage } from '@nestjs/throttler';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { PostgresThrottlerStorage } from '../../src/common/http/postgres-throttler-storage';
import { RateLimitKeys } from '../../src/common/http/rate-limit-key';
import { RedisThrottlerStorage } from '../../src/common/http/redis-throttler-storage';
import { cloneTestDatabase, type TestDatabase } from '../support/test-database';

const REDIS_URL = 'redis://127.0.0.1:6379';
const TTL_MS = 800;
const keys = new RateLimitKeys(createSecretKey(randomBytes(32)));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface StoreUnderTest {
  storage: ThrottlerStorage;
  /** Every key the store holds, as text. */
  storedKeys(): Promise<string[]>;
  close(): Promise<void>;
}

async function postgresStore(): Promise<StoreUnderTest> {
  const database: TestDatabase = await cloneTestDatabase();
  const pool = new Pool({ connectionString: database.url, max: 2 });
  const storage = new PostgresThrottlerStorage(pool, keys);
  return {
    storage,
    storedKeys: async () => (await pool.query<{ key: string }>(`SELECT encode(key, 'escape') AS key FROM rate_limit_windows`)).rows.map((row) => row.key),
    close: async () => {
      await pool.end();
      await database.drop();
    },
  };
}

async function redisStore(): Promise<StoreUnderTest> {
  const storage = new RedisThrottlerStorage(REDIS_URL, keys);
  await storage.onApplicationBootstrap();
  const inspector = new Redis(REDIS_URL);
  return {
    storage,
    storedKeys: () => inspector.keys('egide:rate-limit:*'),
    close: async () => {
      await storage.onApplicationShutdown();
      await inspector.quit();
    },
  };
}

describe.each([
  ['PostgreSQL', postgresStore],
  ['Redis', redisStore],
])('rate-limit windows in %s', (_name, open: () => Promise<StoreUnderTest>) => {
  let store: StoreUnderTest;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    await store?.close();
  });

  it('counts per client and limit, refuses past the limit, and starts a new window once it has ended', async () => {
    // Addresses of this run only: a Redis shared with other runs holds none of them.
    const client = `192.0.2.${randomBytes(1)[0]}-${randomBytes(4).toString('hex')}`;
    const other = `${client}-other`;
    const hit = (who: string, limitName = 'default'): ReturnType<ThrottlerStorage['increment']> =>
      store.storage.increment(who, TTL_MS, 3, TTL_MS, limitName);
    for (let i = 1; i <= 3; i += 1) await expect(hit(client)).resolves.toMatchObject({ totalHits: i, isBlocked: false, timeToExpire: 1 });
    await expect(hit(client)).resolves.toMatchObject({ totalHits: 4, isBlocked: true, timeToBlockExpire: 1 });
    await expect(hit(other)).resolves.toMatchObject({ totalHits: 1, isBlocked: false });
    await expect(hit(client, 'credentials')).resolves.toMatchObject({ totalHits: 1, isBlocked: false });
    // Hits during a window never extend it.
    await sleep(TTL_MS + 100);
    await expect(hit(client)).resolves.toMatchObject({ totalHits: 1, isBlocked: false });

    const stored = (await store.storedKeys()).join('\n');
    expect(stored).not.toContain(client);
    expect(stored).not.toContain('192.0.2.');
  });
});

it('purges the PostgreSQL windows that have ended', async () => {
  const database = await cloneTestDatabase();
  const pool = new Pool({ connectionString: database.url, max: 2 });
  const storage = new PostgresThrottlerStorage(pool, keys);
  const stored = async (client: string): Promise<number> =>
    (await pool.query(`SELECT 1 FROM rate_limit_windows WHERE key = $1`, [keys.of('default', client)])).rowCount ?? 0;
  try {
    await storage.increment('198.51.100.1', 100, 10, 100, 'default');
    await storage.increment('198.51.100.2', 60_000, 10, 60_000, 'default');
    await sleep(150);
    await storage.purge();
    expect(await stored('198.51.100.1')).toBe(0);
    expect(await stored('198.51.100.2')).toBe(1);
  } finally {
    await pool.end();
    await database.drop();
  }
});

describe('batched PostgreSQL windows (two instances sharing every interval)', () => {
  const INTERVAL_MS = 200;
  let database: TestDatabase;
  let pool: Pool;
  let first: PostgresThrottlerStorage;
  let second: PostgresThrottlerStorage;
  const options = { syncIntervalMs: INTERVAL_MS, exactLimits: new Set(['credentials']) };
  beforeAll(async () => {
    database = await cloneTestDatabase();
    pool = new Pool({ connectionString: database.url, max: 4 });
    // Two storages on one database stand for two instances; their timers are not started:
    // the test flushes by hand.
    first = new PostgresThrottlerStorage(pool, keys, options);
    second = new PostgresThrottlerStorage(pool, keys, options);
  });
  afterAll(async () => {
    await pool.end();
    await database.drop();
  });
  const shared = async (client: string, limitName = 'default'): Promise<number> =>
    (await pool.query<{ hits: number }>(`SELECT hits FROM rate_limit_windows WHERE key = $1`, [keys.of(limitName, client)])).rows[0]?.hits ?? 0;

  it('decides without waiting, shares every interval, and decides on counts at most an interval and a round trip old', async () => {
    const client = '203.0.113.50';
    const hit = (storage: PostgresThrottlerStorage): ReturnType<ThrottlerStorage['increment']> => storage.increment(client, 60_000, 6, 60_000, 'default');
    // A window's first hit on an instance is counted there and sent at once, unawaited;
    // the hits within the interval count there too.
    for (let i = 1; i <= 3; i += 1) await expect(hit(first)).resolves.toMatchObject({ totalHits: i });
    await first.flush();
    expect(await shared(client)).toBe(3);
    // The other instance's first hit is decided on its own count; its answer brings the shared one.
    await expect(hit(second)).resolves.toMatchObject({ totalHits: 1 });
    await second.flush();
    await expect(hit(second)).resolves.toMatchObject({ totalHits: 5 });
    await second.flush();
    expect(await shared(client)).toBe(5);
    // The first instance heard 3 an interval ago: its next hit is decided on that, and sent
    // at once; the answer brings it up to date for the hits after it.
    await sleep(INTERVAL_MS + 50);
    await expect(hit(first)).resolves.toMatchObject({ totalHits: 4, isBlocked: false });
    await first.flush();
    await expect(hit(first)).resolves.toMatchObject({ totalHits: 7, isBlocked: true });
    await first.flush();
    expect(await shared(client)).toBe(7);
  });

  it('counts the credential limit at once on every hit', async () => {
    const client = '203.0.113.51';
    for (let i = 1; i <= 4; i += 1) {
      await expect((i % 2 === 0 ? second : first).increment(client, 60_000, 3, 60_000, 'credentials')).resolves.toMatchObject({
        totalHits: i,
        isBlocked: i > 3,
      });
    }
    expect(await shared(client, 'credentials')).toBe(4);
  });
});
