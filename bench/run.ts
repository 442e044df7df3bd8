/**
 * HTTP benchmark: each scenario runs against the built Egide server and, where there is
 * one, a bare Fastify + pg baseline doing the same SQL, in one run, on the same
 * PostgreSQL, with autocannon in a separate process. Prints req/s, p50, p99 and ratios.
 * Usage (see docs/performance.md):
 *
 *   npm run bench                      # embedded PostgreSQL in a temp dir
 *   DATABASE_URL=postgres://… npm run bench
 *   BENCH_DURATION=20 BENCH_CONNECTIONS=50 npm run bench
 *   BENCH_LOG_LEVEL=warn npm run bench   # without request logs
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
import { PRINCIPAL_SQL } from '../src/auth/auth.repository';
import { base32Decode, totpCode, totpStep } from '../src/auth/totp';
import { EgideClient } from '../src/client/egide-client';
import { COORDINATORS_NETWORK_ID } from '../src/common/authz/roles';
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
  { name: 'GET /api/v1/auth/me (access token checked against the database, then one read)', egidePath: '/api/v1/auth/me', authenticated: true },
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

async function main(): Promise<void> {
  const duration = Number(process.env.BENCH_DURATION ?? 10);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
  const dataDir = mkdtempSync(join(tmpdir(), 'egide-bench-'));
  chmodSync(dataDir, 0o711);
  // Production settings: request logs on (written nowhere), rate limits out of the way.
  const egide = await startEgide({
    env: {
      ...process.env,
      PORT: '0',
      DATA_DIR: dataDir,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
      NODE_ENV: 'production',
      SERVER_SECRET: 'b'.repeat(43),
      RATE_LIMIT_PER_MINUTE: '1000000',
      AUTH_RATE_LIMIT_PER_MINUTE: '1000',
    },
    logDestination: pino.destination({ dest: '/dev/null', sync: true }),
  });
  const pool = new Pool({ connectionString: egide.database.url, max: egide.config.databasePoolSize });
  const bare = fastify({ logger: false });
  for (const scenario of SCENARIOS) scenario.bare?.register(bare, pool);
  const token = await signIn(egide);
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { sub: string; sid: string; ver: number };
  // The revocation and membership check alone: the guard's principal query (the very
  // SQL it runs), on the bare server, so that its cost reads next to the one-query baseline.
  bare.get('/bare/principal', async () => {
    // Named, as the guard runs it (planned once per connection).
    const { rows } = await pool.query({ name: 'egide-principal', text: PRINCIPAL_SQL, values: [claims.sub, claims.sid, claims.ver, COORDINATORS_NETWORK_ID] });
    if (rows.length !== 1) throw new Error('principal not found');
    return { ok: true };
  });
  const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' });

  console.log(`node ${process.version}, ${connections} connections, ${duration} s per run, ${egide.database.description}`);
  console.log('| scenario | server | req/s | p50 ms | p99 ms | non-2xx | ratio |');
  console.log('|---|---|---|---|---|---|---|');
  const results = new Map<string, Result>();
  try {
    for (const scenario of SCENARIOS) {
      const auth = scenario.authenticated === true ? token : undefined;
      await autocannon(`${egide.url}${scenario.egidePath}`, connections, 2, auth);
      const ours = await autocannon(`${egide.url}${scenario.egidePath}`, connections, duration, auth);
      results.set(scenario.egidePath, ours);
      if (scenario.bare === undefined) {
        console.log(row(scenario.name, 'egide', ours, ''));
        continue;
      }
      await autocannon(`${bareUrl}${scenario.bare.path}`, connections, 2);
      const base = await autocannon(`${bareUrl}${scenario.bare.path}`, connections, duration);
      console.log(row(scenario.name, 'egide', ours, (ours.requestsPerSecond / base.requestsPerSecond).toFixed(2)));
      console.log(row('', 'bare fastify + pg', base, '1.00'));
    }
    await autocannon(`${bareUrl}/bare/principal`, connections, 2);
    const principal = await autocannon(`${bareUrl}/bare/principal`, connections, duration);
    console.log(row("the guard's revocation check alone (principal query)", 'bare fastify + pg', principal, ''));
    const me = results.get('/api/v1/auth/me');
    const health = results.get('/api/v1/health');
    if (me !== undefined && health !== undefined) {
      console.log(
        `\nauthenticated overhead: /auth/me at ${(me.requestsPerSecond / health.requestsPerSecond).toFixed(2)} of /health's throughput, ` +
          `p50 ${me.p50} ms vs ${health.p50} ms`,
      );
    }
  } finally {
    await bare.close();
    await pool.end();
    await egide.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
