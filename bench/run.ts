/**
 * HTTP benchmark: each scenario runs against the built Egide server and against a bare
 * Fastify + pg baseline doing the same SQL, in one run, on the same PostgreSQL, with
 * autocannon in a separate process. Prints req/s, p50, p99 and the ratio to the
 * baseline. Usage (see docs/performance.md):
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
import { startEgide } from '../src/server';

const MIGRATION_NAMES = MIGRATIONS.map((Migration) => new Migration().name);

const run = promisify(execFile);

interface Scenario {
  name: string;
  egidePath: string;
  /** The baseline route: the same SQL, nothing else. */
  bare(app: FastifyInstance, pool: Pool): void;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'GET /api/v1/health/ready (one query: migrations applied)',
    egidePath: '/api/v1/health/ready',
    bare: (app, pool) => {
      app.get('/bare/ready', async () => {
        const { rows } = await pool.query<{ applied: number }>('SELECT count(*)::int AS applied FROM migrations WHERE name = ANY($1::text[])', [
          MIGRATION_NAMES,
        ]);
        return { status: 'ok', applied: rows[0].applied };
      });
    },
  },
];

interface Result {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function autocannon(url: string, connections: number, duration: number): Promise<Result> {
  const bin = require.resolve('autocannon/autocannon.js');
  const { stdout } = await run(process.execPath, [bin, '-c', String(connections), '-d', String(duration), '-j', url], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const report = JSON.parse(stdout) as {
    requests: { average: number };
    latency: { p50: number; p99: number };
    non2xx: number;
    errors: number;
  };
  return { requestsPerSecond: report.requests.average, p50: report.latency.p50, p99: report.latency.p99, non2xx: report.non2xx, errors: report.errors };
}

async function main(): Promise<void> {
  const duration = Number(process.env.BENCH_DURATION ?? 10);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
  const dataDir = mkdtempSync(join(tmpdir(), 'egide-bench-'));
  chmodSync(dataDir, 0o711);
  // Request logs stay on (as in production) but go nowhere, so the terminal is quiet.
  const egide = await startEgide({
    env: { ...process.env, PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info', NODE_ENV: 'production', SERVER_SECRET: 'b'.repeat(43) },
    logDestination: pino.destination('/dev/null'),
  });
  const pool = new Pool({ connectionString: egide.database.url, max: egide.config.databasePoolSize });
  const bare = fastify({ logger: false });
  for (const scenario of SCENARIOS) scenario.bare(bare, pool);
  const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' });

  console.log(`node ${process.version}, ${connections} connections, ${duration} s per run, ${egide.database.description}`);
  console.log('| scenario | server | req/s | p50 ms | p99 ms | non-2xx | ratio |');
  console.log('|---|---|---|---|---|---|---|');
  try {
    for (const scenario of SCENARIOS) {
      // Warm both up (JIT, pool) before measuring.
      await autocannon(`${egide.url}${scenario.egidePath}`, connections, 2);
      await autocannon(`${bareUrl}/bare/ready`, connections, 2);
      const ours = await autocannon(`${egide.url}${scenario.egidePath}`, connections, duration);
      const base = await autocannon(`${bareUrl}/bare/ready`, connections, duration);
      const ratio = (ours.requestsPerSecond / base.requestsPerSecond).toFixed(2);
      console.log(`| ${scenario.name} | egide | ${ours.requestsPerSecond.toFixed(0)} | ${ours.p50} | ${ours.p99} | ${ours.non2xx + ours.errors} | ${ratio} |`);
      console.log(`| | bare fastify + pg | ${base.requestsPerSecond.toFixed(0)} | ${base.p50} | ${base.p99} | ${base.non2xx + base.errors} | 1.00 |`);
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
