/**
 * Case benchmark: the three hot case routes of the built Egide server against a bare
 * Fastify + pg baseline in the same process, on the same PostgreSQL, at 50 and 200
 * connections, and how get-by-id and list latency hold from 10k to 1M cases. Usage
 * (docs/performance.md):
 *
 *   npm run bench:cases                          # embedded PostgreSQL in a temp dir
 *   DATABASE_URL=postgres://… npm run bench:cases  # a fresh database there, dropped after
 *   BENCH_SCALE_ROWS=100000 npm run bench:cases    # a quicker scale step (default 1000000)
 *   BENCH_DURATION=10 BENCH_CONNECTIONS=50,200 BENCH_POSTS=4000 BENCH_LATENCY_REQUESTS=2000
 *
 * Everything a member does goes through the SDK (administrator, embassy, contact with
 * MFA, team key, sealed cases), so the server sees exactly what a client sends. The
 * baseline calls the case repository's own single statements (create, audited read,
 * list) over a plain `pg` pool: the same rows in one statement each, with nothing of
 * Nest, validation, the access-token check, the author's key read or the signature
 * verification around them; a change of the real SQL moves both sides.
 *
 * Load comes from a child process (this file, forked with LOAD_GENERATOR_FLAG) so that
 * the generator never shares an event loop with the servers: autocannon for throughput,
 * a sequential keep-alive loop for the scale latencies (autocannon's histogram is whole
 * milliseconds, too coarse for a 10k/1M ratio). POST bodies are sealed ahead of time:
 * the client chooses each case's id and data key, so every request needs its own body.
 *
 * The scale cases are seeded in SQL from one real sealed case (its envelopes, signature
 * and wrap), varying ids, key ids, references and clear fields: the server checks
 * structure on write only, and reads return what is stored. Not a test: no assertion.
 */
import { activateAndLogin, BENCH_PASSWORD, freshDatabase } from './bench-support';
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session, type Profiler } from 'node:inspector';
import { Agent, request as httpRequest } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import fastify, { type FastifyInstance } from 'fastify';
import { Client, Pool, type PoolClient, type QueryResult } from 'pg';
import pino from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import type { EmbassyId } from '../src/common/authz/scope';
import { INITIAL_CASE_STATUS } from '../src/cases/case-status';
import { DEFENDER_GROUPS, RISK_LEVELS, THREAT_TYPES } from '../src/contract/case-vocabulary';
import { CasesRepository } from '../src/cases/cases.repository';
import type { CreateCaseRequest } from '../src/cases/dto/create-case.dto';
import { sealNewCase, type CaseContent, type NewCase } from '../src/client/case-flow';
import { EgideClient } from '../src/client/egide-client';
import type { EgideSession } from '../src/client/egide-session';
import { bootstrapTeam, openMyTeamKeys, type MyTeamKeys } from '../src/client/team-keys-flow';
import { startEgide, type EgideServer } from '../src/server';

const LOAD_GENERATOR_FLAG = '--case-bench-load-generator';
const SEED_BATCH = 50_000;
const SMALL_SCALE = 10_000;

// ---------------------------------------------------------------------------------------
// Load generator (child process)

interface CannonJob {
  kind: 'cannon';
  url: string;
  connections: number;
  /** Seconds; ignored when `amount` is set (POST runs a fixed number of fresh bodies). */
  duration: number;
  amount?: number;
  method: 'GET' | 'POST';
  token: string;
  /** Cycled, one per request. */
  paths: string[];
  /** One per request, never reused (each creates a case with its own id). */
  bodies?: string[];
}

interface SequentialJob {
  kind: 'sequential';
  url: string;
  token: string;
  paths: string[];
  warmup: number;
  count: number;
}

type LoadJob = CannonJob | SequentialJob;

interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  failed: number;
  completed: number;
}

async function cannon(job: CannonJob): Promise<LoadResult> {
  let next = 0;
  const bodies = job.bodies;
  const started = performance.now();
  const result = await autocannon({
    url: job.url,
    connections: job.connections,
    duration: job.duration,
    amount: job.amount,
    headers: { authorization: `Bearer ${job.token}`, 'content-type': 'application/json' },
    requests: [
      {
        method: job.method,
        setupRequest: (request) => {
          const n = next++;
          return { ...request, path: job.paths[n % job.paths.length], body: bodies?.[n] };
        },
      },
    ],
  });
  const seconds = (performance.now() - started) / 1000;
  return {
    requestsPerSecond: result.requests.total / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failed: result.non2xx + result.errors,
    completed: result.requests.total,
  };
}

/** One request at a time on one kept-alive socket: latency without queueing, to the microsecond. */
async function sequential(job: SequentialJob): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const target = new URL(job.url);
  const once = (path: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = httpRequest(
        { host: target.hostname, port: target.port, path, agent, headers: { authorization: `Bearer ${job.token}` } },
        (response) => {
          response.on('data', () => undefined);
          response.on('end', () => resolve(response.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end();
    });
  let failed = 0;
  const times: number[] = [];
  for (let i = 0; i < job.warmup + job.count; i++) {
    const started = performance.now();
    const status = await once(job.paths[i % job.paths.length]);
    const elapsed = performance.now() - started;
    if (status !== 200) failed++;
    if (i >= job.warmup) times.push(elapsed);
  }
  agent.destroy();
  times.sort((a, b) => a - b);
  const total = times.reduce((sum, t) => sum + t, 0);
  return {
    requestsPerSecond: (times.length / total) * 1000,
    p50: times[Math.floor(times.length * 0.5)],
    p99: times[Math.floor(times.length * 0.99)],
    failed,
    completed: times.length,
  };
}

async function loadGenerator(): Promise<void> {
  const job = await new Promise<LoadJob>((resolve) => process.once('message', (message) => resolve(message as LoadJob)));
  const result = job.kind === 'cannon' ? await cannon(job) : await sequential(job);
  await new Promise<void>((resolve, reject) => {
    if (process.send === undefined) return reject(new Error('the load generator runs only as a forked child'));
    process.send(result, (error: Error | null) => (error === null ? resolve() : reject(error)));
  });
  process.disconnect();
}

/** Runs one job in a fresh child process. */
function load(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, [LOAD_GENERATOR_FLAG], { stdio: 'inherit', serialization: 'advanced' });
    let result: LoadResult | undefined;
    child.once('message', (message) => {
      result = message as LoadResult;
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 && result !== undefined ? resolve(result) : reject(new Error(`load generator exited with ${code}`))));
    child.send(job);
  });
}

// ---------------------------------------------------------------------------------------
// The bare baseline: the repositories' methods over plain pg

/** What TypeORM's `query` returns for a statement: rows, or [rows, count] after UPDATE/DELETE. */
function typeormShape(result: QueryResult): unknown {
  return result.command === 'UPDATE' || result.command === 'DELETE' ? [result.rows, result.rowCount] : result.rows;
}

/**
 * The repositories use only `query` of their DataSource and EntityManager; handing them
 * this instead runs their exact SQL over one pg connection (or the pool), with no ORM.
 */
function plainQuery(db: Pool | PoolClient, rewrite: (sql: string) => string = (sql) => sql): Pick<EntityManager, 'query'> & Pick<DataSource, 'query'> {
  return {
    query: async <T>(sql: string, parameters?: unknown[]): Promise<T> => typeormShape(await db.query(rewrite(sql), parameters)) as T,
  };
}

interface BenchActor {
  userId: string;
  embassyId: string;
}

function registerBareRoutes(app: FastifyInstance, pool: Pool, actor: BenchActor): void {
  const cases = new CasesRepository();
  const manager = plainQuery(pool) as EntityManager;
  const embassy = actor.embassyId as EmbassyId;
  const reader = (): { userId: string; role: 'EMBASSY_CONTACT'; requestId: string } => ({ userId: actor.userId, role: 'EMBASSY_CONTACT', requestId: randomUUID() });

  // The baseline of a creation: the same rows (case, reference, wrap, blind indexes, audit
  // event) written by the repository's own single statement, with nothing of Nest, the
  // access token, validation, the signature checks or the author's key read around it.
  app.post<{ Body: CreateCaseRequest }>('/bare/cases', async (request, reply) => {
    const body = request.body;
    const created = await cases.createCase(
      manager,
      embassy,
      {
        id: body.id.toLowerCase(),
        status: INITIAL_CASE_STATUS,
        riskLevel: body.riskLevel,
        threatTypes: body.threatTypes,
        defenderGroups: body.defenderGroups,
        countryOfActivity: body.countryOfActivity,
        nextReviewAt: body.nextReviewAt === undefined || body.nextReviewAt === null ? null : new Date(body.nextReviewAt),
        consentToTransfer: body.consentToTransfer,
        consentToRefugeSharing: body.consentToRefugeSharing,
        keyId: body.wrap.keyId.toLowerCase(),
        envelopes: body.revision.envelopes,
        authorId: actor.userId,
        signature: body.revision.signature,
        wrap: body.wrap,
        blindIndexes: body.blindIndexes,
        now: new Date(),
      },
      reader(),
    );
    if (created === undefined) return reply.code(409).send({ status: 409 });
    return reply.code(201).send({ id: created.id, reference: created.reference, version: created.version, createdAt: created.created_at });
  });

  app.get<{ Params: { id: string } }>('/bare/cases/:id', async (request, reply) => {
    const row = await cases.readSealedCase(manager, embassy, request.params.id, reader());
    if (row === undefined) return reply.code(404).send({ status: 404 });
    return row;
  });

  app.get<{ Querystring: { limit?: string } }>('/bare/cases', async (request) => {
    const limit = Number(request.query.limit ?? 50);
    const rows = await cases.listCases(manager, embassy, {}, limit + 1, undefined);
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > limit && last !== undefined ? `${last.created_at.toISOString()}|${last.id}` : null };
  });
}

// ---------------------------------------------------------------------------------------
// Setting up through the SDK

interface Bench {
  contact: EgideSession;
  teamKeys: MyTeamKeys;
  actor: BenchActor;
}

async function setUp(egide: EgideServer): Promise<Bench> {
  if (egide.setupToken === undefined) throw new Error('the benchmark needs a fresh database (no administrator yet)');
  const client = new EgideClient(egide.url);
  const admin = await activateAndLogin(client, 'admin@bench.egide.test', await client.setup(egide.setupToken, 'admin@bench.egide.test', BENCH_PASSWORD));
  const embassy = await admin.admin.createEmbassy({ name: 'Benchmark embassy', country: 'KE', city: 'Nairobi' });
  const invitation = await admin.admin.invite({ email: 'contact@bench.egide.test', role: 'EMBASSY_CONTACT', embassyId: embassy.id });
  const contact = await activateAndLogin(client, 'contact@bench.egide.test', await client.enrol(invitation.code, 'contact@bench.egide.test', BENCH_PASSWORD));
  await bootstrapTeam(contact);
  return { contact, teamKeys: await openMyTeamKeys(contact), actor: { userId: contact.user.id, embassyId: embassy.id } };
}

/** A realistic case: five of the seven sealed fields, a few hundred bytes of narrative. */
function benchCase(i: number): NewCase {
  return {
    riskLevel: RISK_LEVELS[i % RISK_LEVELS.length],
    threatTypes: [THREAT_TYPES[i % THREAT_TYPES.length], THREAT_TYPES[(i + 7) % THREAT_TYPES.length]],
    defenderGroups: [DEFENDER_GROUPS[i % DEFENDER_GROUPS.length]],
    countryOfActivity: 'KE',
    nextReviewAt: new Date(Date.now() + ((i % 90) + 1) * 86_400_000).toISOString(),
    consentToTransfer: i % 2 === 0,
    consentToRefugeSharing: i % 3 === 0,
    content: {
      identity: {
        fullName: `Amani Wanjiru Otieno ${i}`,
        aliases: [`Mama Amani ${i}`],
        birthDate: '1984-03-12',
        gender: 'F',
        nationality: 'KE',
        passportNumbers: [`AK${String(i).padStart(7, '0')}`],
      },
      contacts: { phone: '+254 700 123 456', signal: '+254 700 123 456', email: `amani.${i}@example.org`, trustedContact: 'her brother, via the parish' },
      location: { city: 'Nairobi', area: 'Kibera', since: '2024-11', safeHouse: false },
      narrative:
        'Land-rights defender documenting forced evictions along the river. Followed twice after ' +
        'community meetings; a caller threatened her children by name. Her office laptop was taken ' +
        'during a police visit without a warrant. She keeps copies of the eviction orders and the ' +
        'names of the officers present. She asks that her family not be contacted directly.',
      protectionMeasures: ['digital security training', 'relocation assessed', 'weekly check-in call'],
    } satisfies CaseContent,
  };
}

function sealCases(bench: Bench, from: number, count: number): Promise<CreateCaseRequest[]> {
  return Promise.all(Array.from({ length: count }, (_, k) => sealNewCase(bench.contact, benchCase(from + k), { teamKeys: bench.teamKeys })));
}

// ---------------------------------------------------------------------------------------
// Seeding in SQL

interface Template {
  envelopes: string;
  signature: string;
  generation: number;
  wrap: string;
}

async function readTemplate(db: Client, caseId: string): Promise<Template> {
  const { rows } = await db.query<Template>(
    `SELECT c.envelopes::text AS envelopes, c.revision_signature AS signature, w.generation, w.sealed AS wrap
       FROM cases c JOIN data_key_wraps w ON w.key_id = c.key_id AND w.scope_id = c.embassy_id WHERE c.id = $1`,
    [caseId],
  );
  return rows[0];
}

/**
 * Cases numbered from..to (inclusive), with their wrap and two blind indexes (name,
 * passport), in one statement per batch. References use a past year so that they never
 * meet the counter of the current one; creation times are a minute apart in 2020–2021,
 * older than anything created through the API during the run.
 */
async function seedBatch(db: Client, actor: BenchActor, template: Template, from: number, to: number): Promise<void> {
  await db.query(
    `WITH s AS MATERIALIZED (
       SELECT i, gen_random_uuid() AS id, gen_random_uuid() AS key_id,
              timestamptz '2020-01-01 00:00:00+00' + i * interval '1 minute' AS at
         FROM generate_series($1::int, $2::int) AS i),
     c AS (
       INSERT INTO cases (id, reference, embassy_id, status, risk_level, threat_types, defender_groups, country_of_activity,
                          next_review_at, version, consent_to_transfer, consent_to_transfer_at, consent_to_refuge_sharing,
                          consent_to_refuge_sharing_at, key_id, envelopes, revision, revision_author_id, revision_signature,
                          created_by, created_at, updated_at)
       SELECT s.id, 'KE-2019-' || lpad(s.i::text, 7, '0'), $3::uuid,
              ($7::text[])[1 + s.i % 5], ($8::text[])[1 + s.i % 4],
              ARRAY[($9::text[])[1 + s.i % 16], ($9::text[])[1 + (s.i + 7) % 16]], ARRAY[($10::text[])[1 + s.i % 10]],
              (ARRAY['KE', 'UG', 'TZ', 'ET', 'SO'])[1 + s.i % 5],
              CASE WHEN s.i % 3 = 0 THEN s.at + interval '90 days' END, 1,
              s.i % 2 = 0, CASE WHEN s.i % 2 = 0 THEN s.at END, s.i % 3 = 0, CASE WHEN s.i % 3 = 0 THEN s.at END,
              s.key_id, $5::jsonb, 1, $4::uuid, $6, $4::uuid, s.at, s.at
         FROM s),
     w AS (
       -- Filler rows: bound to their case but unsigned (like protocol-1 wraps); the bench never opens them.
       INSERT INTO data_key_wraps (key_id, scope_id, generation, sealed, entity, record_id) SELECT s.key_id, $3::uuid, $11::int, $12, 'case', s.id FROM s)
     INSERT INTO case_blind_indexes (case_id, embassy_id, field_id, value)
     SELECT s.id, $3::uuid, f.field_id, substr(translate(encode(sha256((f.field_id || s.i)::bytea), 'base64'), '+/=', '-_'), 1, 22)
       FROM s CROSS JOIN (VALUES ('name'), ('passport')) AS f(field_id)`,
    [
      from,
      to,
      actor.embassyId,
      actor.userId,
      template.envelopes,
      template.signature,
      ['OPEN', 'ASSESSING', 'PROTECTION_ACTIVE', 'MONITORING', 'CLOSED'],
      RISK_LEVELS,
      THREAT_TYPES,
      DEFENDER_GROUPS,
      template.generation,
      template.wrap,
    ],
  );
}

async function caseCount(db: Client): Promise<number> {
  return (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM cases')).rows[0].n;
}

/** Seeds until the table holds `target` cases; returns the seconds it took (insert, then VACUUM ANALYZE apart). */
async function seedTo(db: Client, actor: BenchActor, template: Template, target: number, next: { number: number }): Promise<{ rows: number; insertSeconds: number; vacuumSeconds: number }> {
  const missing = Math.max(0, target - (await caseCount(db)));
  const started = performance.now();
  for (let done = 0; done < missing; done += SEED_BATCH) {
    const batch = Math.min(SEED_BATCH, missing - done);
    await seedBatch(db, actor, template, next.number, next.number + batch - 1);
    next.number += batch;
    if (missing > SEED_BATCH) process.stdout.write(`\r  seeded ${done + batch} / ${missing}`);
  }
  if (missing > SEED_BATCH) process.stdout.write('\n');
  const inserted = performance.now();
  // VACUUM as well as ANALYZE: sets the visibility map and hint bits now, so that
  // autovacuum does not start in the middle of a measurement and first reads do not write.
  await db.query('VACUUM (ANALYZE) cases, data_key_wraps, case_blind_indexes');
  return { rows: missing, insertSeconds: (inserted - started) / 1000, vacuumSeconds: (performance.now() - inserted) / 1000 };
}

async function sampleIds(db: Client, embassyId: string, count: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM cases WHERE embassy_id = $1 ORDER BY random() LIMIT $2`, [embassyId, count]);
  return rows.map((row) => row.id);
}

/** EXPLAIN (ANALYZE, BUFFERS) of the repository's own statements, through the same adapter as the baseline. */
async function explainPlans(pool: Pool, actor: BenchActor, id: string): Promise<string> {
  const lines: string[] = [];
  const explaining = {
    query: async <T>(sql: string, parameters?: unknown[]): Promise<T> => {
      const { rows } = await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, parameters);
      lines.push(...rows.map((row) => `    ${row['QUERY PLAN']}`));
      return [] as T;
    },
  };
  const cases = new CasesRepository();
  const manager = explaining as EntityManager;
  const embassy = actor.embassyId as EmbassyId;
  lines.push('  GET /cases/:id (audited read):');
  await cases.readSealedCase(manager, embassy, id, { userId: actor.userId, role: 'EMBASSY_CONTACT', requestId: randomUUID() });
  lines.push('  GET /cases?limit=50:');
  await cases.listCases(manager, embassy, {}, 51, undefined);
  lines.push('  GET /cases?limit=50&riskLevel=CRITICAL:');
  await cases.listCases(manager, embassy, { riskLevel: 'CRITICAL' }, 51, undefined);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------
// The run

const load1 = (): string => loadavg()[0].toFixed(2);

/** Starts V8's sampling profiler in this process (the server's event loop included). */
async function startProfile(): Promise<Session> {
  const session = new Session();
  session.connect();
  await new Promise<void>((resolve, reject) => session.post('Profiler.enable', (error) => (error ? reject(error) : resolve())));
  await new Promise<void>((resolve, reject) => session.post('Profiler.start', (error) => (error ? reject(error) : resolve())));
  return session;
}

/** Stops it, writes the profile, and summarises self time by where the code lives. */
async function stopProfile(session: Session, file: string): Promise<string> {
  const profile = await new Promise<Profiler.Profile>((resolve, reject) =>
    session.post('Profiler.stop', (error, result) => (error ? reject(error) : resolve(result.profile))),
  );
  session.disconnect();
  writeFileSync(file, JSON.stringify(profile));
  const hits = new Map<number, number>();
  for (const id of profile.samples ?? []) hits.set(id, (hits.get(id) ?? 0) + 1);
  const total = profile.samples?.length ?? 0;
  const byArea = new Map<string, number>();
  for (const node of profile.nodes) {
    const url = node.callFrame.url;
    const area =
      url === ''
        ? node.callFrame.functionName === '(idle)'
          ? '(idle)'
          : node.callFrame.functionName.startsWith('(')
            ? node.callFrame.functionName
            : '(native)'
        : url.includes('/node_modules/')
          ? url.replace(/.*\/node_modules\/((@[^/]+\/)?[^/]+).*/, '$1')
          : url.includes('/dist/')
            ? url.replace(/.*\/dist\/(src\/[^/]+).*/, '$1')
            : url.startsWith('node:')
              ? 'node:' + url.slice(5).split('/')[0]
              : url;
    byArea.set(area, (byArea.get(area) ?? 0) + (hits.get(node.id) ?? 0));
  }
  const top = [...byArea.entries()].sort((a, b) => b[1] - a[1]).slice(0, 18);
  return [`  CPU profile (${total} samples, self time by where the code lives) → ${file}`, ...top.map(([area, n]) => `    ${((100 * n) / total).toFixed(1).padStart(5)} %  ${area}`)].join('\n');
}
const ms = (value: number): string => (value < 10 ? value.toFixed(2) : value.toFixed(1));
const row = (cells: (string | number)[]): string => `| ${cells.join(' | ')} |`;

async function main(): Promise<void> {
  const duration = Number(process.env.BENCH_DURATION ?? 10);
  const connectionCounts = (process.env.BENCH_CONNECTIONS ?? '50,200').split(',').map(Number);
  // BENCH_PROFILE=<dir>: a CPU profile of this process while Egide serves each GET run (the bare server is idle then).
  const profileDir = process.env.BENCH_PROFILE;
  const posts = Number(process.env.BENCH_POSTS ?? 4000);
  const latencyRequests = Number(process.env.BENCH_LATENCY_REQUESTS ?? 2000);
  const scaleRows = Number(process.env.BENCH_SCALE_ROWS ?? 1_000_000);
  const postWarmup = Math.max(...connectionCounts, Math.min(500, Math.ceil(posts / 5)));
  const dataDir = mkdtempSync(join(tmpdir(), 'egide-bench-cases-'));
  chmodSync(dataDir, 0o711);
  const database = await freshDatabase('egide_bench');
  // Production settings, as bench/run.ts: request logs on (written nowhere), rate limits out of the way.
  const egide = await startEgide({
    env: {
      ...process.env,
      ...database.env,
      PORT: '0',
      DATA_DIR: dataDir,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
      NODE_ENV: 'production',
      SERVER_SECRET: 'b'.repeat(43),
      RATE_LIMIT_PER_MINUTE: '1000000',
      AUTH_RATE_LIMIT_PER_MINUTE: '1000',
    },
    logDestination: pino.destination({ dest: '/dev/null', sync: true }),
  }).catch(async (error: unknown) => {
    // A server that did not start leaves nothing behind either.
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  });
  const pool = new Pool({ connectionString: egide.database.url, max: egide.config.databasePoolSize });
  const db = new Client({ connectionString: egide.database.url });
  await db.connect();
  const bare = fastify({ logger: false, bodyLimit: 1024 * 1024 });
  const say = (line: string): void => console.log(line);
  try {
    const bench = await setUp(egide);
    registerBareRoutes(bare, pool, bench.actor);
    const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' });
    const token = async (): Promise<string> => {
      await bench.contact.refresh();
      return bench.contact.currentRawAccessToken;
    };
    say(`node ${process.version}, ${egide.database.description}, pool ${egide.config.databasePoolSize}, ${new Date().toISOString()}`);

    // One real case through the API: the template of every seeded one.
    const [templateRequest] = await sealCases(bench, 0, 1);
    const templateCase = await bench.contact.cases.create(templateRequest);
    const template = await readTemplate(db, templateCase.id);
    say(`template case: ${template.envelopes.length} bytes of envelopes (jsonb text), ${templateRequest.revision.envelopes.length} sealed fields`);
    const seedNumber = { number: 1 };

    const scale = async (label: string): Promise<Map<string, LoadResult>> => {
      const ids = await sampleIds(db, bench.actor.embassyId, 5000);
      const results = new Map<string, LoadResult>();
      const routes: [string, string, string[]][] = [
        ['GET by id', 'egide', ids.map((id) => `/api/v1/cases/${id}`)],
        ['GET by id', 'bare', ids.map((id) => `/bare/cases/${id}`)],
        ['list 50', 'egide', ['/api/v1/cases?limit=50']],
        ['list 50', 'bare', ['/bare/cases?limit=50']],
        ['list 50, riskLevel filter', 'egide', ['/api/v1/cases?limit=50&riskLevel=CRITICAL']],
      ];
      for (const [route, server, paths] of routes) {
        const url = server === 'egide' ? egide.url : bareUrl;
        const result = await load({ kind: 'sequential', url, token: await token(), paths, warmup: Math.ceil(latencyRequests / 10), count: latencyRequests });
        results.set(`${route}|${server}`, result);
        say(row([label, route, server, ms(result.p50), ms(result.p99), result.failed, load1()]));
      }
      return results;
    };

    // 1. 10k cases: seed, latencies, plans.
    const small = await seedTo(db, bench.actor, template, SMALL_SCALE, seedNumber);
    say(`\nseeded ${small.rows} cases to ${SMALL_SCALE}: ${small.insertSeconds.toFixed(1)} s insert, ${small.vacuumSeconds.toFixed(1)} s VACUUM ANALYZE`);
    say('\n| cases | route | server | p50 ms | p99 ms | failed | load 1m |');
    say('|---|---|---|---|---|---|---|');
    // Two passes at each size: the first warms caches (and shows cold reads), the ratio uses the second.
    const smallFirst = await scale(`${(await caseCount(db)).toLocaleString('en')}`);
    const atSmall = await scale(`${(await caseCount(db)).toLocaleString('en')}`);
    const smallPlans = await explainPlans(pool, bench.actor, (await sampleIds(db, bench.actor.embassyId, 1))[0]);

    // 2. Throughput against the baseline, at ~10k cases, at each connection count.
    // Disjoint pools of fresh bodies: one per server and connection count.
    const perServer = posts + postWarmup + 2 * Math.max(...connectionCounts);
    const runs = connectionCounts.length * 2;
    const sealing = performance.now();
    const bodies = (await sealCases(bench, 1, runs * perServer)).map((body) => JSON.stringify(body));
    say(`\nsealed ${bodies.length} POST bodies through the SDK in ${((performance.now() - sealing) / 1000).toFixed(1)} s`);
    let nextPool = 0;
    const freshBodies = (): string[] => bodies.slice(nextPool * perServer, (++nextPool) * perServer);
    const ids = await sampleIds(db, bench.actor.embassyId, 5000);
    const scenarios: { name: string; method: 'GET' | 'POST'; egide: string[]; bare: string[] }[] = [
      { name: 'POST /api/v1/cases', method: 'POST', egide: ['/api/v1/cases'], bare: ['/bare/cases'] },
      { name: 'GET /api/v1/cases/:id (audited)', method: 'GET', egide: ids.map((id) => `/api/v1/cases/${id}`), bare: ids.map((id) => `/bare/cases/${id}`) },
      { name: 'GET /api/v1/cases?limit=50', method: 'GET', egide: ['/api/v1/cases?limit=50'], bare: ['/bare/cases?limit=50'] },
    ];
    for (const connections of connectionCounts) {
      say(`\n${connections} connections; GET runs: 2 s warm-up then ${duration} s; POST: ${postWarmup} warm-up then ${posts} fresh sealed bodies`);
      say('| route | server | req/s | p50 ms | p99 ms | non-2xx | ratio | load 1m |');
      say('|---|---|---|---|---|---|---|---|');
      for (const scenario of scenarios) {
        const measured: LoadResult[] = [];
        for (const [url, paths] of [
          [egide.url, scenario.egide],
          [bareUrl, scenario.bare],
        ] as const) {
          if (scenario.method === 'POST') {
            const own = freshBodies();
            await load({ kind: 'cannon', url, connections, duration, amount: postWarmup, method: 'POST', token: await token(), paths, bodies: own.slice(0, postWarmup) });
            measured.push(await load({ kind: 'cannon', url, connections, duration, amount: posts, method: 'POST', token: await token(), paths, bodies: own.slice(postWarmup) }));
          } else {
            await load({ kind: 'cannon', url, connections, duration: 2, method: 'GET', token: await token(), paths });
            const profiled = profileDir !== undefined && url === egide.url ? await startProfile() : undefined;
            measured.push(await load({ kind: 'cannon', url, connections, duration, method: 'GET', token: await token(), paths }));
            if (profiled !== undefined && profileDir !== undefined) say(await stopProfile(profiled, join(profileDir, `${scenario.name.replace(/[^a-z0-9]+/gi, '-')}-${connections}.cpuprofile`)));
          }
        }
        const [ours, base] = measured;
        say(row([scenario.name, 'egide', ours.requestsPerSecond.toFixed(0), ours.p50, ours.p99, ours.failed, (ours.requestsPerSecond / base.requestsPerSecond).toFixed(2), load1()]));
        say(row(['', 'bare fastify + pg, one statement', base.requestsPerSecond.toFixed(0), base.p50, base.p99, base.failed, '1.00', load1()]));
      }
    }

    // 3. The large table.
    if (scaleRows > SMALL_SCALE) {
      const large = await seedTo(db, bench.actor, template, scaleRows, seedNumber);
      const size = (await db.query<{ size: string }>(`SELECT pg_size_pretty(pg_total_relation_size('cases')) AS size`)).rows[0].size;
      say(`\nseeded ${large.rows} cases to ${scaleRows}: ${large.insertSeconds.toFixed(1)} s insert, ${large.vacuumSeconds.toFixed(1)} s VACUUM ANALYZE; cases table with indexes and TOAST: ${size}`);
      say('| cases | route | server | p50 ms | p99 ms | failed | load 1m |');
      say('|---|---|---|---|---|---|---|');
      const again = await scale(`${(await caseCount(db)).toLocaleString('en')}`);
      const atLarge = await scale(`${(await caseCount(db)).toLocaleString('en')}`);
      say('\np50 at the large table / p50 at 10k, second passes (goal ≤ 1.5):');
      for (const [key, result] of atLarge) {
        const before = atSmall.get(key);
        const first = again.get(key);
        const smallCold = smallFirst.get(key);
        if (before === undefined || first === undefined || smallCold === undefined) continue;
        say(`  ${key.replace('|', ', ')}: ${(result.p50 / before.p50).toFixed(2)} (first passes: ${(first.p50 / smallCold.p50).toFixed(2)})`);
      }
      say(`\nplans at ${scaleRows.toLocaleString('en')} cases:\n${await explainPlans(pool, bench.actor, (await sampleIds(db, bench.actor.embassyId, 1))[0])}`);
    }
    say(`\nplans at ${SMALL_SCALE.toLocaleString('en')} cases:\n${smallPlans}`);
  } finally {
    await bare.close();
    await pool.end();
    await db.end();
    await egide.close();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

(process.argv.includes(LOAD_GENERATOR_FLAG) ? loadGenerator() : main()).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
