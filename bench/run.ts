/**
 * HTTP benchmark: each scenario runs against the built Egide server and, where there is
 * one, a bare Fastify + pg baseline doing the same SQL, in one run, on the same
 * PostgreSQL, with autocannon in a separate process. Prints req/s, p50, p99 and ratios.
 * The throughput scenarios run at each of BENCH_CONNECTIONS (50 and 200 by default),
 * and the run ends with the revocation propagation between two instances on one
 * database (docs/identity.md, "Sessions and revocation").
 * Usage (see docs/performance.md):
 *
 *   npm run bench                      # embedded PostgreSQL in a temp dir
 *   DATABASE_URL=postgres://… npm run bench
 *   BENCH_DURATION=10 BENCH_ROUNDS=5 BENCH_CONNECTIONS=50,200 npm run bench
 *   BENCH_LOG_LEVEL=warn npm run bench   # without request logs
 *   BENCH_PROPAGATION_RUNS=50 npm run bench
 *   REDIS_URL=redis://127.0.0.1:6379 npm run bench   # rate-limit windows in Redis
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fastify, { type FastifyInstance } from 'fastify';
import { Pool } from 'pg';
import pino from 'pino';
import { MIGRATIONS } from '../migrations';
import { DataSource } from 'typeorm';
import { PRINCIPAL_SQL } from '../src/auth/auth.repository';
import { SessionTokensService } from '../src/auth/session-tokens.service';
import { base32Decode, totpCode, totpStep } from '../src/auth/totp';
import { EgideClient } from '../src/client/egide-client';
import { COORDINATORS_NETWORK_ID } from '../src/contract/roles';
import type { OwnUserId } from '../src/common/authz/scope';
import { startEgide, type EgideServer } from '../src/server';

const run = promisify(execFile);
const MIGRATION_NAMES = MIGRATIONS.map((Migration) => new Migration().name);

interface Scenario {
  name: string;
  egidePath: string;
  authenticated?: boolean;
  /** The baseline route doing the same SQL, nothing else. */
  bare?: { path: string; register(app: FastifyInstance, pool: Pool): void };
}

const SCENARIOS: Scenario[] = [
  {
    name: 'GET /api/v1/health/ready (one query: migrations applied)',
    egidePath: '/api/v1/health/ready',
    bare: {
      path: '/bare/ready',
      register: (app, pool) => {
        app.get('/bare/ready', async () => {
          const { rows } = await pool.query<{ applied: number }>('SELECT count(*)::int AS applied FROM migrations WHERE name = ANY($1::text[])', [
            MIGRATION_NAMES,
          ]);
          return { status: 'ok', applied: rows[0].applied };
        });
      },
    },
  },
  { name: 'GET /api/v1/health (liveness, no query, public)', egidePath: '/api/v1/health' },
  { name: 'GET /api/v1/auth/me (access token verified, principal from the cache, then one read)', egidePath: '/api/v1/auth/me', authenticated: true },
];

interface Result {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  failed: number;
}

async function autocannon(url: string, connections: number, duration: number, token?: string): Promise<Result> {
  const bin = require.resolve('autocannon/autocannon.js');
  const headers = token === undefined ? [] : ['-H', `authorization=Bearer ${token}`];
  const { stdout } = await run(process.execPath, [bin, '-c', String(connections), '-d', String(duration), ...headers, '-j', url], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const report = JSON.parse(stdout) as { requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number };
  return { requestsPerSecond: report.requests.average, p50: report.latency.p50, p99: report.latency.p99, failed: report.non2xx + report.errors };
}

/** An administrator signed in through the SDK, as a real client would. */
async function signIn(server: EgideServer): Promise<string> {
  if (server.setupToken === undefined) throw new Error('the benchmark needs a fresh database (no administrator yet)');
  const client = new EgideClient(server.url);
  const account = await client.setup(server.setupToken, 'bench@egide.test', 'benchmark password, long enough');
  const secret = base32Decode(account.totp.secret);
  const now = Math.floor(Date.now() / 1000);
  await account.confirmTotp(totpCode(secret, totpStep(now)));
  const session = await client.login('bench@egide.test', 'benchmark password, long enough', totpCode(secret, totpStep(now) + 1));
  return session.currentRawAccessToken;
}

const row = (name: string, server: string, r: Result, ratio: string): string =>
  `| ${name} | ${server} | ${r.requestsPerSecond.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.failed} | ${ratio} |`;

/** The settings every Egide instance of the run shares (production, logs written nowhere). */
function benchEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
    NODE_ENV: 'production',
    SERVER_SECRET: 'b'.repeat(43),
    // Rate limits out of the way (autocannon is one client address), but still counted.
    RATE_LIMIT_PER_MINUTE: '1000000',
    AUTH_RATE_LIMIT_PER_MINUTE: '1000',
    ...extra,
  };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/**
 * Revocation between instances: a session opened on A (as login opens one) and used on
 * B, so that B holds it in its principal cache; A revokes it (POST /auth/logout, whose
 * transaction notifies through the trigger); B is then asked again and again, one
 * request at a time, until it refuses. The time from A's answer to B's first refusal is
 * the propagation (it includes one request to B, ~1 ms, as its resolution).
 */
async function measurePropagation(a: EgideServer, b: EgideServer, userId: string, tokenVersion: number, runs: number): Promise<number[]> {
  const tokens = a.app.get(SessionTokensService);
  const dataSource = a.app.get(DataSource);
  const me = (server: EgideServer, token: string): Promise<number> =>
    fetch(`${server.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } }).then(async (response) => {
      await response.arrayBuffer();
      return response.status;
    });
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const session = await dataSource.transaction((manager) => tokens.openSession(manager, userId as OwnUserId, tokenVersion));
    for (let warm = 0; warm < 3; warm += 1) if ((await me(b, session.accessToken)) !== 200) throw new Error('B refused a live session');
    const logout = await fetch(`${a.url}/api/v1/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${session.accessToken}` } });
    if (logout.status !== 204) throw new Error(`logout answered ${logout.status}`);
    const answered = performance.now();
    for (;;) {
      const status = await me(b, session.accessToken);
      if (status === 401) break;
      if (status !== 200) throw new Error(`B answered ${status}`);
      if (performance.now() - answered > 5_000) throw new Error('B still accepts the session 5 s after its revocation');
    }
    times.push(performance.now() - answered);
  }
  return times;
}

async function main(): Promise<void> {
  const duration = Number(process.env.BENCH_DURATION ?? 5);
  const roundCount = Number(process.env.BENCH_ROUNDS ?? 3);
  const connectionCounts = (process.env.BENCH_CONNECTIONS ?? '50,200').split(',').map(Number);
  const propagationRuns = Number(process.env.BENCH_PROPAGATION_RUNS ?? 21);
  const dataDir = mkdtempSync(join(tmpdir(), 'egide-bench-'));
  const dataDirB = mkdtempSync(join(tmpdir(), 'egide-bench-b-'));
  chmodSync(dataDir, 0o711);
  chmodSync(dataDirB, 0o711);
  const egide = await startEgide({ env: benchEnv(dataDir), logDestination: pino.destination({ dest: '/dev/null', sync: true }) });
  const pool = new Pool({ connectionString: egide.database.url, max: egide.config.databasePoolSize });
  const bare = fastify({ logger: false });
  for (const scenario of SCENARIOS) scenario.bare?.register(bare, pool);
  const token = await signIn(egide);
  // A second instance on the same database (started once the administrator exists: a
  // start before would issue a setup token of its own), for the propagation measurement.
  const second = await startEgide({
    env: benchEnv(dataDirB, { DATABASE_URL: egide.database.url }),
    logDestination: pino.destination({ dest: '/dev/null', sync: true }),
  });
  // A third, with the principal cache off: every request runs the principal query, as
  // before the principal cache existed, so that what the cache buys reads in the same run.
  const dataDirC = mkdtempSync(join(tmpdir(), 'egide-bench-c-'));
  chmodSync(dataDirC, 0o711);
  const uncached = await startEgide({
    env: benchEnv(dataDirC, { DATABASE_URL: egide.database.url, PRINCIPAL_CACHE_TTL_MS: '0' }),
    logDestination: pino.destination({ dest: '/dev/null', sync: true }),
  });
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { sub: string; sid: string; ver: number };
  // The revocation and membership check alone: the guard's principal query (the very
  // SQL it runs when its cache cannot answer), on the bare server, for comparison.
  bare.get('/bare/principal', async () => {
    // Named, as the guard runs it (planned once per connection).
    const { rows } = await pool.query({ name: 'egide-principal', text: PRINCIPAL_SQL, values: [claims.sub, claims.sid, claims.ver, COORDINATORS_NETWORK_ID] });
    if (rows.length !== 1) throw new Error('principal not found');
    return { ok: true };
  });
  const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' });

  const rateLimits = egide.config.redisUrl === undefined ? `rate limits in PostgreSQL (shared every ${egide.config.rateLimitSyncMs} ms)` : 'rate limits in Redis';
  console.log(`node ${process.version}, ${duration} s per run, ${egide.database.description}, ${rateLimits}, principal cache ${egide.config.principalCacheTtlMs} ms`);
  try {
    // Every target runs once per round, rounds one after the other, and the table shows
    // each target's median round: the machine's drift (other work on shared cores) then
    // hits every target alike, and each ratio is the median of its per-round ratios.
    const targets: { key: string; name: string; server: string; url: string; token?: string }[] = [
      ...SCENARIOS.flatMap((scenario) => [
        { key: scenario.egidePath, name: scenario.name, server: 'egide', url: `${egide.url}${scenario.egidePath}`, token: scenario.authenticated === true ? token : undefined },
        ...(scenario.bare === undefined ? [] : [{ key: `bare:${scenario.egidePath}`, name: '', server: 'bare fastify + pg', url: `${bareUrl}${scenario.bare.path}` }]),
      ]),
      {
        key: 'me-uncached',
        name: 'GET /api/v1/auth/me with the principal cache off (the principal query on every request)',
        server: 'egide',
        url: `${uncached.url}/api/v1/auth/me`,
        token,
      },
      { key: 'bare:principal', name: "the guard's principal query alone (what a cache miss costs)", server: 'bare fastify + pg', url: `${bareUrl}/bare/principal` },
    ];
    for (const connections of connectionCounts) {
      const rounds: Map<string, Result>[] = [];
      for (let round = 0; round < roundCount; round += 1) {
        const results = new Map<string, Result>();
        for (const target of targets) {
          await autocannon(target.url, connections, 1, target.token);
          results.set(target.key, await autocannon(target.url, connections, duration, target.token));
        }
        rounds.push(results);
      }
      const medianOf = (key: string): Result => {
        const all = rounds.map((results) => results.get(key)).filter((result): result is Result => result !== undefined);
        const rate = median(all.map((result) => result.requestsPerSecond));
        // The round whose rate is the median, so that its latencies go with it.
        return all.find((result) => result.requestsPerSecond === rate) ?? all[0];
      };
      const ratio = (key: string, base: string): number => median(rounds.map((results) => (results.get(key)?.requestsPerSecond ?? 0) / (results.get(base)?.requestsPerSecond ?? 1)));
      console.log(`\n${connections} connections, median of ${roundCount} rounds`);
      console.log('| scenario | server | req/s | p50 ms | p99 ms | non-2xx | ratio |');
      console.log('|---|---|---|---|---|---|---|');
      for (const target of targets) {
        const base = target.key.startsWith('bare:') ? undefined : `bare:${target.key}`;
        const shown = base !== undefined && targets.some((t) => t.key === base) ? ratio(target.key, base).toFixed(2) : target.key.startsWith('bare:/') ? '1.00' : '';
        console.log(row(target.name, target.server, medianOf(target.key), shown));
      }
      const me = medianOf('/api/v1/auth/me');
      const ready = medianOf('/api/v1/health/ready');
      console.log(
        `\n/auth/me vs /health/ready at ${connections} connections: ${ratio('/api/v1/auth/me', '/api/v1/health/ready').toFixed(2)} of its throughput ` +
          `(goal >= 0.6; per round: ${rounds.map((results) => ((results.get('/api/v1/auth/me')?.requestsPerSecond ?? 0) / (results.get('/api/v1/health/ready')?.requestsPerSecond ?? 1)).toFixed(2)).join(', ')}), ` +
          `p50 ${me.p50} vs ${ready.p50} ms, p99 ${me.p99} vs ${ready.p99} ms; with the cache off ${ratio('me-uncached', '/api/v1/health/ready').toFixed(2)}; ` +
          `cached / uncached ${ratio('/api/v1/auth/me', 'me-uncached').toFixed(2)}`,
      );
    }
    const times = await measurePropagation(egide, second, claims.sub, claims.ver, propagationRuns);
    console.log(
      `\nrevocation propagation between two instances (logout on A until B refuses), ${times.length} runs: ` +
        `median ${median(times).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms, min ${Math.min(...times).toFixed(1)} ms`,
    );
  } finally {
    await bare.close();
    await pool.end();
    await second.close();
    await uncached.close();
    await egide.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(dataDirB, { recursive: true, force: true });
    rmSync(dataDirC, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
