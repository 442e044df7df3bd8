/**
 * Rotation benchmark: a full team key rotation of one scope holding 100,000
 * data keys, through the SDK (`rotateTeam`, as `egide team rotate` runs it) against the
 * built server. Usage (docs/performance.md):
 *
 *   npm run bench:rotation                              # embedded PostgreSQL in a temp dir
 *   DATABASE_URL=postgres://… npm run bench:rotation    # a fresh database there, dropped after
 *   BENCH_ROTATION_KEYS=20000 BENCH_ROTATION_CHUNK=500 npm run bench:rotation
 *
 * Set-up goes through the SDK: administrator, embassy, two contacts with MFA, team
 * generation 1 created by the first and granted to the second after the fingerprint
 * check. The data keys are then seeded in SQL, with valid structure, so that the rotating
 * client can open every one: ONE random 32-byte data key is sealed (crypto_box_seal of
 * keyId ‖ key, §5.5) to generation 1 under each of N fresh key ids — each seal is a real
 * libsodium sealed box, distinct because the key id is inside it — and each wrap is
 * signed by the first contact (§5.13) for a record id of its own. Sealing and signing are
 * libsodium's, in this process (≈ 0.2 ms a wrap here); rows go in by batches of 5,000
 * through unnest. The server checks wraps only when they are written through the API,
 * and none of these is; what the rotation reads back is exactly what a client writes.
 *
 * The server runs in a child process (this file, forked with SERVER_FLAG), so that the
 * client's libsodium work and the server's never share an event loop: request latencies
 * are the server's, not time spent waiting behind the client's sealing.
 *
 * Measured: the whole `rotateTeam` (checking every wrap before the start, the start,
 * every page and chunk, the completion), with per-request latencies of the chunk POSTs,
 * the page GETs and the completion, taken by wrapping the session's HTTP client. Then
 * checked: every wrap is of generation 2, none of generation 1 is left, and a sample
 * opens to the seeded data key under the new team key. Not a test: it prints numbers.
 */
import { activateAndLogin, BENCH_PASSWORD, freshDatabase } from './bench-support';
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Injectable, Module, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { Client } from 'pg';
import { finalize, type Observable } from 'rxjs';
import pino from 'pino';
import { generateDataKey, openSealedDataKey, sealDataKeyToTeam, signDataKeyWrap, type TeamKeys } from '../src/client/crypto';
import { EgideClient } from '../src/client/egide-client';
import type { EgideSession } from '../src/client/egide-session';
import { bootstrapTeam, grantTo, pendingMembers, rotateTeam, type RotationProgress } from '../src/client/team-keys-flow';
import { readyCrypto } from '../src/crypto/protocol-hash';
import type { StoredDataKeyWrap } from '../src/crypto/data-key-wrap-payload';
import { startEgide } from '../src/server';

const SERVER_FLAG = '--rotation-bench-server';
const SEED_BATCH = 5_000;

/** Seeds `count` wraps of one data key under fresh key ids, sealed to `team` and signed by `writer`. */
async function seedDataKeys(db: Client, writer: EgideSession, team: TeamKeys, count: number): Promise<{ dataKey: Uint8Array; sealSeconds: number; insertSeconds: number }> {
  const dataKey = generateDataKey().key;
  let sealMs = 0;
  let insertMs = 0;
  for (let from = 0; from < count; from += SEED_BATCH) {
    const size = Math.min(SEED_BATCH, count - from);
    const sealing = performance.now();
    const wraps = Array.from({ length: size }, () =>
      signDataKeyWrap(
        sealDataKeyToTeam({ keyId: randomUUID(), key: dataKey }, team),
        { entity: 'case', recordId: randomUUID(), writerUserId: writer.user.id },
        writer.keys.signSecretKey,
      ),
    );
    sealMs += performance.now() - sealing;
    const inserting = performance.now();
    await db.query(
      `INSERT INTO data_key_wraps (key_id, scope_id, generation, sealed, entity, record_id, writer_id, signature)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::text[], $6::uuid[], $7::uuid[], $8::text[])`,
      [
        wraps.map((w) => w.keyId),
        wraps.map((w) => w.scopeId),
        wraps.map((w) => w.generation),
        wraps.map((w) => w.sealed),
        wraps.map((w) => w.entity),
        wraps.map((w) => w.recordId),
        wraps.map((w) => w.writerUserId),
        wraps.map((w) => w.signature),
      ],
    );
    insertMs += performance.now() - inserting;
  }
  const vacuuming = performance.now();
  await db.query('VACUUM ANALYZE data_key_wraps');
  insertMs += performance.now() - vacuuming;
  return { dataKey, sealSeconds: sealMs / 1000, insertSeconds: insertMs / 1000 };
}

/** Request durations by kind, taken around the session's HTTP client. */
function timeRequests(session: EgideSession): Map<string, number[]> {
  const timings = new Map<string, number[]>();
  const http = session.http;
  const original = http.request.bind(http);
  const kindOf = (method: string, path: string): string => {
    if (path.endsWith('/chunks')) return 'POST chunk';
    if (path.includes('/pending-data-keys')) return 'GET pending page';
    if (path.endsWith('/completion')) return 'POST completion';
    if (path.startsWith('/keys/team/data-keys')) return 'GET data-keys page (check before start)';
    if (path === '/keys/team/rotations' && method === 'POST') return 'POST start';
    return 'other';
  };
  http.request = async <T>(...args: Parameters<typeof original>): Promise<T> => {
    const started = performance.now();
    try {
      return await original<T>(...args);
    } finally {
      const kind = kindOf(args[0], args[1]);
      timings.set(kind, [...(timings.get(kind) ?? []), performance.now() - started]);
    }
  };
  return timings;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function table(say: (line: string) => void, timings: Map<string, number[]>): void {
  say('| request | count | p50 ms | p99 ms | max ms | total s |');
  say('|---|---|---|---|---|---|');
  for (const [kind, values] of [...timings.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const sorted = [...values].sort((a, b) => a - b);
    const sum = sorted.reduce((total, value) => total + value, 0);
    say(`| ${kind} | ${sorted.length} | ${ms(percentile(sorted, 50))} | ${ms(percentile(sorted, 99))} | ${ms(sorted[sorted.length - 1])} | ${(sum / 1000).toFixed(1)} |`);
  }
}

const ms = (value: number): string => (Number.isNaN(value) ? '–' : value < 10 ? value.toFixed(2) : value.toFixed(1));
const load1 = (): string => loadavg()[0].toFixed(2);

async function main(): Promise<void> {
  const keys = Number(process.env.BENCH_ROTATION_KEYS ?? 100_000);
  const chunkSize = Number(process.env.BENCH_ROTATION_CHUNK ?? 500);
  await readyCrypto();
  const database = await freshDatabase('egide_bench_rotation');
  const server = await startServer(database.env).catch(async (error: unknown) => {
    await database.drop();
    throw error;
  });
  const egide = server.info;
  const db = new Client({ connectionString: egide.databaseUrl });
  await db.connect();
  const say = (line: string): void => console.log(line);
  try {
    if (egide.setupToken === undefined) throw new Error('the benchmark needs a fresh database (no administrator yet)');
    say(`node ${process.version}, ${egide.description}, pool ${egide.poolSize}, server in a child process, ${new Date().toISOString()}, load ${load1()}`);
    const client = new EgideClient(egide.url);
    const admin = await activateAndLogin(client, 'admin@bench.egide.test', await client.setup(egide.setupToken, 'admin@bench.egide.test', BENCH_PASSWORD));
    const embassy = await admin.admin.createEmbassy({ name: 'Benchmark embassy', country: 'KE', city: 'Nairobi' });
    const members: { session: EgideSession; fingerprint: string }[] = [];
    for (const name of ['first', 'second']) {
      const email = `${name}@bench.egide.test`;
      const invitation = await admin.admin.invite({ email, role: 'EMBASSY_CONTACT', embassyId: embassy.id });
      const account = await client.enrol(invitation.code, email, BENCH_PASSWORD);
      members.push({ session: await activateAndLogin(client, email, account), fingerprint: account.user.fingerprint });
    }
    const [first, second] = members;
    const { team } = await bootstrapTeam(first.session);
    const [waiting] = await pendingMembers(first.session);
    await grantTo(first.session, waiting, second.fingerprint);

    const seeded = await seedDataKeys(db, first.session, team, keys);
    say(
      `seeded ${keys.toLocaleString('en')} data keys (one data key sealed to generation 1 under ${keys.toLocaleString('en')} key ids, each wrap signed): ` +
        `${seeded.sealSeconds.toFixed(1)} s sealing and signing, ${seeded.insertSeconds.toFixed(1)} s INSERT and VACUUM ANALYZE`,
    );

    const timings = timeRequests(first.session);
    const stages = new Map<string, number>();
    const began = performance.now();
    const mark = (step: RotationProgress): void => {
      if (!stages.has(step.stage)) stages.set(step.stage, performance.now() - began);
    };
    const outcome = await rotateTeam(first.session, mark, () => Promise.resolve(false), { chunkSize });
    const totalSeconds = (performance.now() - began) / 1000;

    // Checked, not assumed: every key now has exactly one wrap, of generation 2, and a sample opens.
    const byGeneration = (await db.query<{ generation: number; n: number }>(`SELECT generation, count(*)::int AS n FROM data_key_wraps GROUP BY generation ORDER BY generation`)).rows;
    const sample = (
      await db.query<{ key_id: string; scope_id: string; generation: number; sealed: string; entity: string; record_id: string }>(
        `SELECT key_id, scope_id, generation, sealed, entity, record_id FROM data_key_wraps ORDER BY random() LIMIT 100`,
      )
    ).rows;
    for (const row of sample) {
      const wrap: StoredDataKeyWrap = { keyId: row.key_id, scopeId: row.scope_id, generation: row.generation, sealed: row.sealed, entity: row.entity, recordId: row.record_id, writerUserId: null, signature: null };
      const opened = openSealedDataKey(wrap, outcome.next);
      if (Buffer.compare(Buffer.from(opened.key), Buffer.from(seeded.dataKey)) !== 0) throw new Error(`key ${row.key_id} does not open to the seeded data key`);
    }
    if (byGeneration.length !== 1 || byGeneration[0].generation !== 2 || byGeneration[0].n !== keys) {
      throw new Error(`after the rotation: ${JSON.stringify(byGeneration)}`);
    }

    say(
      `\nrotated ${keys.toLocaleString('en')} data keys in ${totalSeconds.toFixed(1)} s: ${(keys / totalSeconds).toFixed(0)} keys/s ` +
        `(chunks of ${chunkSize}; ${outcome.response.chunks} chunks; state ${outcome.response.state}; 100 sampled wraps open under generation 2), load ${load1()}`,
    );
    const at = (stage: string): string => ((stages.get(stage) ?? Number.NaN) / 1000).toFixed(1);
    say(`stages reached at (s): checking ${at('checking')} (first page), started ${at('started')}, first chunk ${at('resealing')}, completing ${at('completing')}, done ${at('done')}`);
    say('\nas the client saw each request (round trip, including time its event loop spent sealing the next chunk):');
    table(say, timings);
  } finally {
    await db.end();
    const onServer = await server.stop();
    const rotationRoutes = new Map([...onServer.entries()].filter(([route]) => route.includes('/keys/team/')));
    say('\non the server (validation, handler and its SQL; guard and body parsing not included):');
    table(say, rotationRoutes);
    await database.drop();
  }
}

// ---------------------------------------------------------------------------------------
// The server (child process)

/** Server-side time of each route (validation pipe, handler, its SQL), by `METHOD /route`. */
const serverTimings = new Map<string, number[]>();

@Injectable()
class TimingInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const key = `${request.method} ${request.routeOptions.url ?? '?'}`;
    const started = performance.now();
    return next.handle().pipe(finalize(() => serverTimings.set(key, [...(serverTimings.get(key) ?? []), performance.now() - started])));
  }
}

@Module({ providers: [{ provide: APP_INTERCEPTOR, useClass: TimingInterceptor }] })
class TimingModule {}

interface ServerInfo {
  url: string;
  databaseUrl: string;
  description: string;
  poolSize: number;
  setupToken: string | undefined;
}

/** The built server with production settings, in this (child) process, until the parent says stop. */
async function serve(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'egide-bench-rotation-'));
  chmodSync(dataDir, 0o711);
  const egide = await startEgide({
    env: {
      ...process.env,
      PORT: '0',
      DATA_DIR: dataDir,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
      NODE_ENV: 'production',
      SERVER_SECRET: 'r'.repeat(43),
      RATE_LIMIT_PER_MINUTE: '1000000',
      AUTH_RATE_LIMIT_PER_MINUTE: '1000',
    },
    logDestination: pino.destination({ dest: '/dev/null', sync: true }),
    additionalModules: [TimingModule],
  });
  const info: ServerInfo = {
    url: egide.url,
    databaseUrl: egide.database.url,
    description: egide.database.description,
    poolSize: egide.config.databasePoolSize,
    setupToken: egide.setupToken,
  };
  process.send?.(info);
  process.once('message', () => {
    process.send?.([...serverTimings.entries()]);
    void egide.close().then(() => {
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    });
  });
}

function startServer(env: NodeJS.ProcessEnv): Promise<{ info: ServerInfo; stop: () => Promise<Map<string, number[]>> }> {
  const child = fork(__filename, [SERVER_FLAG], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}`)));
    child.once('message', (info: ServerInfo) => {
      child.removeAllListeners('exit');
      resolve({
        info,
        stop: () =>
          new Promise<Map<string, number[]>>((done) => {
            let timings = new Map<string, number[]>();
            child.once('message', (entries: [string, number[]][]) => {
              timings = new Map(entries);
            });
            child.once('exit', () => done(timings));
            child.send('stop');
          }),
      });
    });
  });
}

(process.argv.includes(SERVER_FLAG) ? serve() : main()).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
