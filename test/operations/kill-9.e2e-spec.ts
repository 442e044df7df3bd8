/**
 * Kill -9 durability: the real server runs as a child process on a test database while
 * two embassy contacts create cases and append timeline events concurrently through the
 * SDK; the process is SIGKILLed mid-burst (after a number of acknowledged writes, while
 * the other lanes are still sending) and started again on the same database and port.
 *
 * Then: every acknowledged write is there, with its audit event, its wrap and its blind
 * indexes, and opens and verifies through the SDK; every write the client did not see
 * acknowledged is all there or not at all; nothing is left without its parent or its
 * audit event; a retry with the same Idempotency-Key and body returns the first
 * response (acknowledged) or completes the write exactly once (not acknowledged).
 *
 * Which writes were in flight at the kill differs from run to run; every assertion holds
 * for any split.
 */
import { createServer } from 'node:net';
import { Client } from 'pg';
import { rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { addCaseEvent, createCase, getCase, listCaseEvents } from '../../src/client/case-flow';
import { EgideClient } from '../../src/client/egide-client';
import type { EgideSession } from '../../src/client/egide-session';
import { bootstrapTeam, grantTo, pendingMembers } from '../../src/client/team-keys-flow';
import { verifyMember } from '../../src/client/trusted-keys';
import type { CaseEventCreatedResponse, CaseSummaryResponse } from '../../src/cases/dto/case.response';
import type { CreateCaseRequest } from '../../src/cases/dto/create-case.dto';
import type { AppendCaseEventRequest } from '../../src/cases/dto/case-event.dto';
import { newCase } from '../cases/case-factory';
import { castTotp, loadCast, type CastKey } from '../support/cast';
import { makeTempDir, TEST_SERVER_SECRET, testEnv } from '../support/test-app';
import { cloneTestDatabase, type TestDatabase } from '../support/test-database';
import { startServerProcess, type ServerProcess } from './support/server-process-harness';

/** As TestClock: the server's clock an hour ahead, so no TOTP step of the enrolment is reused. */
const CLOCK_OFFSET_MS = 3_600_000;
const LANES = 6;
/** The kill comes when this many writes have been acknowledged. */
const KILL_AFTER_ACKNOWLEDGED = 30;
const SEED_CASES = 3;

interface Write {
  readonly kind: 'case' | 'event';
  readonly key: string;
  /** The id the write creates (the case's or the event's, chosen by the client). */
  id?: string;
  /** For an event: its case. */
  readonly caseId?: string;
  /** Who wrote it (a retry must come from the same account). */
  readonly session: EgideSession;
  acknowledged?: CaseSummaryResponse | CaseEventCreatedResponse;
  failure?: unknown;
}

/** What the SDK sent for each Idempotency-Key: the exact body, to retry it byte for byte. */
const sentBodies = new Map<string, string>();
const recordingFetch: typeof fetch = (input, init) => {
  const headers = (init?.headers ?? {}) as Record<string, string>;
  const key = headers['idempotency-key'];
  if (key !== undefined && init?.method === 'POST' && typeof init.body === 'string') sentBodies.set(key, init.body);
  return fetch(input, init);
};

let database: TestDatabase;
const dataDir = makeTempDir('egide-kill9-');
let server: ServerProcess | undefined;

afterAll(async () => {
  if (server !== undefined && server.child.exitCode === null && server.child.signalCode === null) {
    server.child.kill('SIGTERM');
    await server.exited;
  }
  await checks?.end();
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

async function login(client: EgideClient, key: CastKey): Promise<EgideSession> {
  const member = loadCast().members[key];
  return client.login(member.email, member.password, castTotp(member, Math.floor((Date.now() + CLOCK_OFFSET_MS) / 1000)));
}

/** One connection for the many checks (a connection per query would dominate the test's time). */
let checks: Client;

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await checks.query<{ n: string | number }>(sql, params);
  return Number(rows[0].n);
}

/** Orphans of any kind, over the whole database: each query must find none. */
const ORPHAN_CHECKS: Record<string, string> = {
  'case without its case.created event': `SELECT count(*)::int AS n FROM cases c
      WHERE NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.action = 'case.created' AND a.target_id = c.id::text)`,
  'case.created event without its case': `SELECT count(*)::int AS n FROM audit_events a
      WHERE a.action = 'case.created' AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.id::text = a.target_id)`,
  'case without its wrap': `SELECT count(*)::int AS n FROM cases c
      WHERE NOT EXISTS (SELECT 1 FROM data_key_wraps w WHERE w.key_id = c.key_id AND w.scope_id = c.embassy_id)`,
  'case wrap without its case': `SELECT count(*)::int AS n FROM data_key_wraps w
      WHERE w.entity = 'case' AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.key_id = w.key_id)`,
  'case without blind indexes': `SELECT count(*)::int AS n FROM cases c
      WHERE NOT EXISTS (SELECT 1 FROM case_blind_indexes b WHERE b.case_id = c.id)`,
  'event without its case.event-added event': `SELECT count(*)::int AS n FROM case_events e
      WHERE e.type IN ('THREAT_INCIDENT', 'CONTACT', 'MEASURE', 'REVIEW') AND NOT EXISTS (
        SELECT 1 FROM audit_events a WHERE a.action = 'case.event-added' AND a.target_id = e.case_id::text AND a.details->>'eventId' = e.id::text)`,
  'case.event-added event without its event': `SELECT count(*)::int AS n FROM audit_events a
      WHERE a.action = 'case.event-added' AND NOT EXISTS (SELECT 1 FROM case_events e WHERE e.id::text = a.details->>'eventId')`,
  'idempotency record without its response': `SELECT count(*)::int AS n FROM idempotency_records WHERE response_status IS NULL OR response_body IS NULL`,
  'idempotency record whose write is missing': `SELECT count(*)::int AS n FROM idempotency_records r
      WHERE NOT EXISTS (SELECT 1 FROM cases c WHERE c.id::text = r.response_body->>'id')
        AND NOT EXISTS (SELECT 1 FROM case_events e WHERE e.id::text = r.response_body->>'id')`,
};

async function orphans(): Promise<Record<string, number>> {
  const found: Record<string, number> = {};
  for (const [name, sql] of Object.entries(ORPHAN_CHECKS)) found[name] = await count(sql);
  return found;
}

type WriteBody = CreateCaseRequest & AppendCaseEventRequest;

/** The exact body the SDK sent for this write. */
function sentBody(write: Write): WriteBody {
  const text = sentBodies.get(write.key);
  if (text === undefined) throw new Error(`nothing was sent for ${write.key}`);
  return JSON.parse(text) as WriteBody;
}

async function expectWriteComplete(write: Write, body: CreateCaseRequest | AppendCaseEventRequest): Promise<void> {
  if (write.kind === 'case') {
    const request = body as CreateCaseRequest;
    await expect(count(`SELECT count(*)::int AS n FROM cases WHERE id = $1`, [request.id])).resolves.toBe(1);
    await expect(count(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'case.created' AND target_id = $1`, [request.id])).resolves.toBe(1);
    await expect(
      count(`SELECT count(*)::int AS n FROM data_key_wraps w JOIN cases c ON c.key_id = w.key_id AND w.scope_id = c.embassy_id WHERE c.id = $1`, [request.id]),
    ).resolves.toBe(1);
    const { rows: indexes } = await checks.query<{ entry: string }>(`SELECT field_id || ':' || value AS entry FROM case_blind_indexes WHERE case_id = $1`, [request.id]);
    expect(indexes.map((row) => row.entry).sort()).toEqual([...new Set(request.blindIndexes.map((entry) => `${entry.fieldId}:${entry.value}`))].sort());
  } else {
    const request = body as AppendCaseEventRequest;
    await expect(count(`SELECT count(*)::int AS n FROM case_events WHERE id = $1 AND case_id = $2`, [request.id, write.caseId])).resolves.toBe(1);
    await expect(
      count(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'case.event-added' AND target_id = $1 AND details->>'eventId' = $2`, [write.caseId, request.id]),
    ).resolves.toBe(1);
  }
}

async function writeRows(write: Write, id: string): Promise<number> {
  return write.kind === 'case'
    ? count(
        `SELECT (SELECT count(*) FROM cases WHERE id = $1) + (SELECT count(*) FROM audit_events WHERE action = 'case.created' AND target_id = $1::text)
              + (SELECT count(*) FROM case_blind_indexes WHERE case_id = $1) AS n`,
        [id],
      )
    : count(
        `SELECT (SELECT count(*) FROM case_events WHERE id = $1) + (SELECT count(*) FROM audit_events WHERE action = 'case.event-added' AND details->>'eventId' = $1::text) AS n`,
        [id],
      );
}

it('keeps every acknowledged write, leaves no orphans, and replays the first result after a SIGKILL mid-burst', async () => {
  database = await cloneTestDatabase();
  const port = await freePort();
  const env = {
    ...testEnv({ DATABASE_URL: database.url, DATA_DIR: dataDir, SERVER_SECRET: TEST_SERVER_SECRET, LOG_LEVEL: 'warn', PORT: String(port) }),
    EGIDE_TEST_CLOCK_OFFSET_MS: String(CLOCK_OFFSET_MS),
  };
  server = await startServerProcess(env);
  const client = new EgideClient(server.url, { fetch: recordingFetch });

  // Embassy A's team: contactA1 founds it and grants it to contactA2 after the fingerprint check.
  const founder = await login(client, 'contactA1');
  const member = await login(client, 'contactA2');
  await bootstrapTeam(founder);
  const pending = (await pendingMembers(founder)).find((candidate) => candidate.userId === member.user.id);
  if (pending === undefined) throw new Error('contactA2 is not waiting for a key');
  await grantTo(founder, pending, loadCast().members.contactA2.fingerprint);
  // Each reads what the other writes: both compared fingerprints out of band.
  await verifyMember(member, founder.user.id, loadCast().members.contactA1.fingerprint);
  await verifyMember(founder, member.user.id, loadCast().members.contactA2.fingerprint);
  const sessions = [founder, member];
  const seeds: string[] = [];
  for (let index = 0; index < SEED_CASES; index++) seeds.push((await createCase(founder, newCase(`seed ${index}`))).id);

  // The burst: each lane alternates creating a case and appending an event to a seed case,
  // until its first failure (the server is gone).
  const writes: Write[] = [];
  let acknowledged = 0;
  const killed = server.exited;
  const lane = async (laneIndex: number): Promise<void> => {
    const session = sessions[laneIndex % sessions.length];
    for (let step = 0; ; step++) {
      const key = `kill9-${laneIndex}-${step}-${randomUUID()}`;
      const write: Write =
        step % 2 === 0 ? { kind: 'case', key, session } : { kind: 'event', key, session, caseId: seeds[(laneIndex + step) % seeds.length] };
      writes.push(write);
      try {
        write.acknowledged =
          write.kind === 'case'
            ? await createCase(session, newCase(`burst ${laneIndex}.${step}`), { idempotencyKey: key })
            : await addCaseEvent(session, write.caseId ?? '', { type: 'CONTACT', body: `burst ${laneIndex}.${step}` }, { idempotencyKey: key });
        write.id = write.acknowledged.id;
        acknowledged += 1;
        if (acknowledged === KILL_AFTER_ACKNOWLEDGED) server?.child.kill('SIGKILL');
      } catch (error) {
        write.failure = error;
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: LANES }, (_, index) => lane(index)));
  await expect(killed).resolves.toEqual({ code: null, signal: 'SIGKILL' });
  // Every failure is the connection going away (fetch's TypeError, from outside jest's realm), not an answer from the server.
  for (const write of writes.filter((candidate) => candidate.failure !== undefined)) {
    expect(write.failure).toMatchObject({ name: 'TypeError', message: 'fetch failed' });
  }
  const acknowledgedWrites = writes.filter((write) => write.acknowledged !== undefined);
  expect(acknowledgedWrites.length).toBeGreaterThanOrEqual(KILL_AFTER_ACKNOWLEDGED);
  const unacknowledged = writes.filter((write) => write.acknowledged === undefined && sentBodies.has(write.key));

  // The same database, the same port, a new process.
  server = await startServerProcess(env);
  await expect(fetch(`${server.url}/api/v1/health/ready`).then((response) => response.status)).resolves.toBe(200);
  checks = new Client({ connectionString: database.url });
  await checks.connect();

  for (const write of acknowledgedWrites) await expectWriteComplete(write, sentBody(write));
  // What the client never saw acknowledged is all there or not there at all.
  for (const write of unacknowledged) {
    const body = sentBody(write);
    if ((await writeRows(write, body.id)) !== 0) await expectWriteComplete(write, body);
  }
  expect(await orphans()).toEqual(Object.fromEntries(Object.keys(ORPHAN_CHECKS).map((name) => [name, 0])));

  // Retries with the same key and the same bytes.
  for (const write of [...acknowledgedWrites, ...unacknowledged]) {
    const body = sentBody(write);
    const retried =
      write.kind === 'case'
        ? await write.session.cases.create(body, { idempotencyKey: write.key })
        : await write.session.cases.appendEvent(write.caseId ?? '', body, { idempotencyKey: write.key });
    if (write.acknowledged !== undefined) expect(retried).toEqual(write.acknowledged);
    else expect(retried.id).toBe(body.id);
    await expectWriteComplete(write, body);
  }
  expect(await orphans()).toEqual(Object.fromEntries(Object.keys(ORPHAN_CHECKS).map((name) => [name, 0])));

  // Through the SDK: every case written opens and verifies, every acknowledged event is on its timeline.
  for (const write of [...acknowledgedWrites, ...unacknowledged].filter((candidate) => candidate.kind === 'case')) {
    const opened = await getCase(founder, sentBody(write).id);
    expect(opened.content.identity.fullName).toMatch(/^Defender burst \d+\.\d+$/);
  }
  for (const seed of seeds) {
    const timeline = await listCaseEvents(founder, seed, { limit: 100 });
    const listed = new Set(timeline.items.map((event) => event.id));
    for (const write of acknowledgedWrites.filter((candidate) => candidate.kind === 'event' && candidate.caseId === seed)) {
      expect(listed.has(write.id ?? '')).toBe(true);
    }
  }
});
