/**
 * Defender cases end to end through the SDK on real PostgreSQL: create, open, list with
 * filters and pages, update with versions (and two concurrent ones), status table,
 * assignment, timeline, idempotency, duplicates, scope isolation on every route,
 * tampering refused by the server or caught by the reader (signed wraps included),
 * transfer with consent or override, shred, the signatures both must carry, and the
 * audit rows of reads and writes.
 */
import { randomUUID } from 'node:crypto';
import {
  addCaseEvent,
  assignCase,
  CaseIntegrityError,
  CaseShreddedError,
  createCase,
  findDuplicates,
  getCase,
  listCaseEvents,
  listCases,
  reindexCase,
  sealNewCase,
  setCaseStatus,
  shredCase,
  TeamFingerprintMismatchError,
  transferCase,
  updateCase,
} from '../../src/client/case-flow';
import { signDataKeyWrap, signRecordAction, signRevision } from '../../src/client/crypto';
import type { EgideSession } from '../../src/client/egide-session';
import { EgideApiError } from '../../src/client/http-client';
import { UnverifiedAuthorError } from '../../src/client/trust-store';
import { fromBase64Url, toBase64Url } from '../../src/crypto/binary-encoding';
import { readyCrypto } from '../../src/crypto/protocol-hash';
import type { TransferCaseRequest } from '../../src/cases/dto/transfer-case.dto';
import { startCastApp, type CastApp } from '../support/cast';
import { querySql } from '../support/test-database';
import { compareFingerprints, setUpEmbassyTeams, type EmbassyContact, type EmbassyTeams } from '../support/teams';
import { newCase } from './case-factory';

let app: CastApp;
let teams: EmbassyTeams;

function as(key: EmbassyContact): EgideSession {
  return teams.sessions[key];
}

/** The HTTP status a call ends with, the problem's reason and the fields it names. */
async function outcome(call: Promise<unknown>): Promise<{ status: number; reason?: unknown; allowed?: unknown; fields: string[] }> {
  try {
    await call;
    return { status: 200, fields: [] };
  } catch (error) {
    if (!(error instanceof EgideApiError)) throw error;
    const { reason, allowed } = error.problem;
    return { status: error.status, reason, allowed, fields: (error.problem.errors ?? []).map((e) => e.field) };
  }
}

function flip(text: string): string {
  const bytes = Uint8Array.from(fromBase64Url(text));
  bytes[0] ^= 1;
  return toBase64Url(bytes);
}

/** The details of the one audit event of `action` on the case. */
async function auditDetails(action: string, targetId: string): Promise<Record<string, unknown>> {
  const rows = await querySql<{ details: Record<string, unknown> }>(app.database.url, `SELECT details FROM audit_events WHERE action = $1 AND target_id = $2`, [
    action,
    targetId,
  ]);
  expect(rows).toHaveLength(1);
  return rows[0].details;
}

async function auditCount(action: string, targetId: string): Promise<number> {
  const rows = await querySql<{ n: number }>(app.database.url, `SELECT count(*)::int AS n FROM audit_events WHERE action = $1 AND target_id = $2`, [
    action,
    targetId,
  ]);
  return rows[0].n;
}

beforeAll(async () => {
  await readyCrypto();
  app = await startCastApp();
  teams = await setUpEmbassyTeams(app);
});

afterAll(async () => {
  await app.close();
});

describe('create and open', () => {
  it('creates a case with a per-embassy reference, opens it for another contact of the embassy, and audits both', async () => {
    const created = await createCase(as('contactA1'), newCase('alpha'));
    expect(created).toMatchObject({ status: 'OPEN', version: 1, revision: 1, embassyId: app.cast.ids.embassyA, shreddedAt: null });
    expect(created.reference).toMatch(/^KE-\d{4}-\d{4}$/);
    expect(created.consentToTransferAt).not.toBeNull();

    const opened = await getCase(as('contactA2'), created.id);
    expect(opened.content).toEqual({
      identity: { fullName: 'Defender alpha', passportNumbers: ['P-alpha'] },
      narrative: 'Narrative of alpha',
    });
    expect(opened.author.userId).toBe(app.cast.members.contactA1.userId);
    await expect(auditCount('case.created', created.id)).resolves.toBe(1);
    await expect(auditCount('case.read', created.id)).resolves.toBe(1);
    // Both the service's events and the audited read's own statement carry the client's address.
    const addresses = await querySql<{ action: string; client_address: string }>(
      app.database.url,
      `SELECT action, host(client_address) AS client_address FROM audit_events WHERE target_id = $1 AND action IN ('case.created', 'case.read')`,
      [created.id],
    );
    expect(addresses.map((row) => row.client_address)).toEqual(['127.0.0.1', '127.0.0.1']);
  });

  it('gives concurrent creations distinct consecutive references', async () => {
    const created = await Promise.all([1, 2, 3, 4].map((n) => createCase(as('contactA1'), newCase(`ref-${n}`))));
    const numbers = created.map((c) => Number(c.reference.split('-')[2])).sort((a, b) => a - b);
    expect(new Set(numbers).size).toBe(4);
    expect(numbers[3] - numbers[0]).toBe(3);
  });

  it('refuses a case whose key is sealed to a stale or foreign generation, or to another embassy', async () => {
    const request = await sealNewCase(as('contactA1'), newCase('gen'));
    const a1 = as('contactA1');
    const toGeneration2 = signDataKeyWrap({ ...request.wrap, generation: 2 }, request.wrap, a1.keys.signSecretKey);
    await expect(outcome(a1.cases.create({ ...request, wrap: toGeneration2 }))).resolves.toMatchObject({
      status: 409,
      reason: 'stale-generation',
    });
    await expect(outcome(as('contactA1').cases.create({ ...request, wrap: { ...request.wrap, scopeId: app.cast.ids.embassyB } }))).resolves.toMatchObject({
      status: 400,
      fields: ['wrap.scopeId'],
    });
    await expect(outcome(as('contactA1').cases.create({ ...request, revision: { ...request.revision, version: 2 } }))).resolves.toMatchObject({
      status: 400,
      fields: ['revision.version'],
    });
    await expect(outcome(as('contactA1').cases.create(request))).resolves.toMatchObject({ status: 200 });
    await expect(outcome(as('contactA1').cases.create(request))).resolves.toMatchObject({ status: 409, reason: 'already-exists' });
  });
});

describe('signed wraps on create', () => {
  it('refuses an unsigned, badly signed, other record’s or other writer’s wrap, naming it', async () => {
    const a1 = as('contactA1');
    const request = await sealNewCase(a1, newCase('signed-wrap'));
    const { wrap } = request;
    const { signature: _signature, ...unsigned } = wrap;
    const byA2 = signDataKeyWrap(wrap, { ...wrap, writerUserId: as('contactA2').user.id }, as('contactA2').keys.signSecretKey);
    const cases: [string, unknown, string][] = [
      ['unsigned', unsigned, 'wrap.signature'],
      ['signature altered', { ...wrap, signature: flip(wrap.signature) }, 'wrap.signature'],
      ['sealed altered after signing', { ...wrap, sealed: flip(wrap.sealed) }, 'wrap.signature'],
      ['signed for another case', signDataKeyWrap(wrap, { ...wrap, recordId: randomUUID() }, a1.keys.signSecretKey), 'wrap.recordId'],
      ['signed for another entity', signDataKeyWrap(wrap, { ...wrap, entity: 'case_event' }, a1.keys.signSecretKey), 'wrap.entity'],
      ['written by another member', byA2, 'wrap.writerUserId'],
      ['another member’s key under my name', signDataKeyWrap(wrap, wrap, as('contactA2').keys.signSecretKey), 'wrap.signature'],
    ];
    for (const [label, body, field] of cases) {
      const result = await outcome(a1.cases.create({ ...request, wrap: body as typeof wrap }));
      expect({ label, status: result.status, fields: result.fields }).toEqual({ label, status: 400, fields: [field] });
    }
    await expect(outcome(a1.cases.create(request))).resolves.toMatchObject({ status: 200 });
    const [row] = await querySql<{ entity: string; record_id: string; writer_id: string; signature: string }>(
      app.database.url,
      `SELECT entity, record_id, writer_id, signature FROM data_key_wraps WHERE key_id = $1`,
      [wrap.keyId],
    );
    expect(row).toEqual({ entity: 'case', record_id: request.id, writer_id: a1.user.id, signature: wrap.signature });
  });
});

describe('Idempotency-Key', () => {
  it('replays the first response for the same key and body, refuses the same key with another body, creates once', async () => {
    const request = await sealNewCase(as('contactA1'), newCase('idem'));
    const key = `idem-${randomUUID()}`;
    const [first, second] = await Promise.all([
      as('contactA1').cases.create(request, { idempotencyKey: key }),
      as('contactA1').cases.create(request, { idempotencyKey: key }),
    ]);
    expect(second).toEqual(first);
    await expect(as('contactA1').cases.create(request, { idempotencyKey: key })).resolves.toEqual(first);
    const other = await sealNewCase(as('contactA1'), newCase('idem-other'));
    await expect(outcome(as('contactA1').cases.create(other, { idempotencyKey: key }))).resolves.toMatchObject({ status: 422 });
    const rows = await querySql<{ n: number }>(app.database.url, `SELECT count(*)::int AS n FROM cases WHERE id = $1`, [request.id]);
    expect(rows[0].n).toBe(1);
    await expect(outcome(as('contactA1').cases.create(other, { idempotencyKey: 'bad key!' }))).resolves.toMatchObject({
      status: 400,
      fields: ['Idempotency-Key'],
    });
  });

  it('appends a timeline event once per key, and refuses the key with another event', async () => {
    const created = await createCase(as('contactA1'), newCase('idem-events'));
    const key = `event-${randomUUID()}`;
    const eventId = randomUUID();
    const first = await addCaseEvent(as('contactA1'), created.id, { id: eventId, type: 'CONTACT', body: 'called the defender' }, { idempotencyKey: key });
    // The SDK seals afresh each time: a retry of the same event must resend the same bytes, so replay through the raw API.
    const page = await as('contactA1').cases.listEvents(created.id);
    const stored = page.items.find((event) => event.id === eventId);
    if (stored?.revision === null || stored === undefined) throw new Error('event not stored');
    const replay = await as('contactA1').cases.appendEvent(created.id, { id: eventId, type: 'CONTACT', revision: stored.revision }, { idempotencyKey: key });
    expect(replay).toEqual(first);
    await expect(
      outcome(addCaseEvent(as('contactA1'), created.id, { type: 'CONTACT', body: 'another' }, { idempotencyKey: key })),
    ).resolves.toMatchObject({ status: 422 });
    expect((await listCaseEvents(as('contactA1'), created.id)).items).toHaveLength(1);
  });
});

describe('list', () => {
  let ids: Record<string, string>;

  beforeAll(async () => {
    const s = as('contactB1');
    const one = await createCase(s, newCase('list-1', { riskLevel: 'LOW', threatTypes: ['DEATH_THREAT'], countryOfActivity: 'CO', nextReviewAt: '2026-01-01T00:00:00.000Z' }));
    const two = await createCase(s, newCase('list-2', { riskLevel: 'CRITICAL', defenderGroups: ['JOURNALIST'], countryOfActivity: 'VE' }));
    const three = await createCase(s, newCase('list-3', { riskLevel: 'CRITICAL', nextReviewAt: null }));
    await setCaseStatus(s, three.id, 'ASSESSING', three.version);
    await assignCase(s, two.id, app.cast.members.contactB2.userId, two.version);
    ids = { one: one.id, two: two.id, three: three.id };
  });

  const listed = async (query: Parameters<typeof listCases>[1]): Promise<string[]> =>
    (await listCases(as('contactB1'), query)).items.map((item) => item.id).sort();

  it('filters on every clear field', async () => {
    await expect(listed({ riskLevel: 'CRITICAL' })).resolves.toEqual([ids.two, ids.three].sort());
    await expect(listed({ status: 'ASSESSING' })).resolves.toEqual([ids.three]);
    await expect(listed({ threatType: 'DEATH_THREAT' })).resolves.toEqual([ids.one]);
    await expect(listed({ defenderGroup: 'JOURNALIST' })).resolves.toEqual([ids.two]);
    await expect(listed({ country: 'VE' })).resolves.toEqual([ids.two]);
    await expect(listed({ assignee: app.cast.members.contactB2.userId })).resolves.toEqual([ids.two]);
    await expect(listed({ reviewDueBefore: '2027-01-01T00:00:00.000Z' })).resolves.toEqual([ids.one]);
  });

  it('pages in a stable order without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listCases(as('contactB1'), { limit: 1, cursor });
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    const all = (await listCases(as('contactB1'), { limit: 200 })).items.map((item) => item.id);
    expect(seen).toEqual(all);
    expect(new Set(seen).size).toBe(seen.length);
    await expect(outcome(listCases(as('contactB1'), { cursor: 'bm90LWEtY3Vyc29y' }))).resolves.toMatchObject({ status: 400, fields: ['cursor'] });
  });
});

describe('update', () => {
  it('changes clear fields and sealed content as revision n+1, refuses a stale version with the current one', async () => {
    const created = await createCase(as('contactA1'), newCase('upd'));
    const updated = await updateCase(as('contactA2'), created.id, {
      version: created.version,
      riskLevel: 'CRITICAL',
      consentToTransfer: false,
      content: { narrative: 'Narrative rewritten', notes: 'A new note' },
    });
    expect(updated).toMatchObject({ version: 2, revision: 2, riskLevel: 'CRITICAL', consentToTransfer: false, consentToTransferAt: null });
    const opened = await getCase(as('contactA1'), created.id);
    expect(opened.content).toMatchObject({ narrative: 'Narrative rewritten', notes: 'A new note', identity: { fullName: 'Defender upd' } });
    expect(opened.author.userId).toBe(app.cast.members.contactA2.userId);

    await expect(outcome(updateCase(as('contactA1'), created.id, { version: 1, riskLevel: 'LOW' }))).resolves.toMatchObject({
      status: 409,
      reason: 'stale-version',
    });
    await expect(auditCount('case.updated', created.id)).resolves.toBe(1);
  });

  it('lets exactly one of two concurrent updates based on the same version win', async () => {
    const created = await createCase(as('contactA1'), newCase('race'));
    const results = await Promise.all([
      outcome(updateCase(as('contactA1'), created.id, { version: 1, riskLevel: 'LOW', content: { notes: 'from A1' } })),
      outcome(updateCase(as('contactA2'), created.id, { version: 1, riskLevel: 'MEDIUM', content: { notes: 'from A2' } })),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const opened = await getCase(as('contactA1'), created.id);
    expect(opened.version).toBe(2);
    expect(opened.content.notes === 'from A1' ? 'LOW' : 'MEDIUM').toBe(opened.riskLevel);
  });
});

describe('status, assignment, timeline', () => {
  it('follows the transition table, refuses an illegal move listing the allowed ones, and records each change on the timeline', async () => {
    const created = await createCase(as('contactA1'), newCase('status'));
    const assessing = await setCaseStatus(as('contactA1'), created.id, 'ASSESSING', created.version);
    await expect(outcome(setCaseStatus(as('contactA1'), created.id, 'OPEN', assessing.version))).resolves.toEqual({
      status: 409,
      reason: 'illegal-transition',
      allowed: ['PROTECTION_ACTIVE', 'CLOSED'],
      fields: [],
    });
    await expect(outcome(setCaseStatus(as('contactA1'), created.id, 'MONITORING', 99))).resolves.toMatchObject({ status: 409, reason: 'stale-version' });
    await setCaseStatus(as('contactA1'), created.id, 'PROTECTION_ACTIVE', assessing.version);
    await addCaseEvent(as('contactA2'), created.id, { type: 'MEASURE', body: { measure: 'secure phone', cost: 120 } });
    const { items } = await listCaseEvents(as('contactA1'), created.id);
    expect(items.map((event) => [event.type, event.details, event.body])).toEqual([
      ['STATUS_CHANGE', { from: 'OPEN', to: 'ASSESSING' }, null],
      ['STATUS_CHANGE', { from: 'ASSESSING', to: 'PROTECTION_ACTIVE' }, null],
      ['MEASURE', {}, { measure: 'secure phone', cost: 120 }],
    ]);
    await expect(auditCount('case.status-changed', created.id)).resolves.toBe(2);
    await expect(auditCount('case.events-read', created.id)).resolves.toBeGreaterThanOrEqual(1);
  });

  it('assigns to an active contact of the embassy only', async () => {
    const created = await createCase(as('contactA1'), newCase('assign'));
    const assigned = await assignCase(as('contactA1'), created.id, app.cast.members.contactA2.userId, created.version);
    expect(assigned.assignedToId).toBe(app.cast.members.contactA2.userId);
    for (const other of ['contactB1', 'ngoX1', 'admin'] as const) {
      await expect(outcome(assignCase(as('contactA1'), created.id, app.cast.members[other].userId, assigned.version))).resolves.toMatchObject({
        status: 400,
        fields: ['assigneeId'],
      });
    }
    await expect(assignCase(as('contactA1'), created.id, null, assigned.version)).resolves.toMatchObject({ assignedToId: null });
  });
});

describe('duplicates', () => {
  it('finds a name (whatever its case and accents) or a passport within the embassy only', async () => {
    const created = await createCase(
      as('contactA1'),
      newCase('dup', { content: { identity: { fullName: 'Élodie  Ngũgĩ', passportNumbers: ['AB 123-456'] } } }),
    );
    await expect(findDuplicates(as('contactA2'), { name: 'elodie ngugi' })).resolves.toEqual([
      { caseId: created.id, reference: created.reference, fieldId: 'name', matches: 1 },
    ]);
    await expect(findDuplicates(as('contactA2'), { passport: 'ab123456' })).resolves.toMatchObject([{ caseId: created.id }]);
    await expect(findDuplicates(as('contactB1'), { name: 'Élodie Ngũgĩ' })).resolves.toEqual([]);
    const rows = await querySql<{ n: number }>(app.database.url, `SELECT count(*)::int AS n FROM audit_events WHERE action = 'case.duplicates-searched'`);
    expect(rows[0].n).toBeGreaterThanOrEqual(3);
  });
});

describe('scope isolation', () => {
  it("answers embassy B's contact 404 for embassy A's case on every route, as for a missing case", async () => {
    const created = await createCase(as('contactA1'), newCase('iso'));
    const b = as('contactB1');
    const signature = 'A'.repeat(86);
    const wrap = {
      keyId: created.keyId,
      scopeId: app.cast.ids.embassyB,
      generation: 1,
      sealed: 'A'.repeat(128),
      entity: 'case',
      recordId: created.id,
      writerUserId: b.user.id,
      signature,
    };
    const request = await sealNewCase(b, newCase('iso-b'));
    const calls: [string, Promise<unknown>][] = [
      ['get', b.cases.get(created.id)],
      ['update', b.cases.update(created.id, { version: 1, riskLevel: 'LOW' })],
      ['status', b.cases.changeStatus(created.id, { version: 1, to: 'ASSESSING' })],
      ['assign', b.cases.assign(created.id, { version: 1, assigneeId: null })],
      ['events', b.cases.listEvents(created.id)],
      ['append', b.cases.appendEvent(created.id, { id: randomUUID(), type: 'CONTACT', revision: { ...request.revision, entity: 'case_event' } })],
      ['transfer', b.cases.transfer(created.id, { version: 1, targetEmbassyId: app.cast.ids.embassyA, wrap, signature })],
      ['shred', b.cases.shred(created.id, { confirm: `SHRED ${created.reference}`, version: 1, signature })],
    ];
    for (const [name, call] of calls) {
      expect({ name, ...(await outcome(call)) }).toMatchObject({ name, status: 404 });
    }
    expect((await listCases(b, { limit: 200 })).items.map((item) => item.id)).not.toContain(created.id);
    await expect(findDuplicates(b, { name: 'Defender iso' })).resolves.toEqual([]);
    await expect(getCase(as('contactA1'), created.id)).resolves.toMatchObject({ version: 1, status: 'OPEN' });
  });
});

describe('tampering', () => {
  it('refuses an envelope copied from another case (key id), another author, and a bad signature', async () => {
    const x = await sealNewCase(as('contactA1'), newCase('tamper-x'));
    const y = await sealNewCase(as('contactA1'), newCase('tamper-y'));
    const a1 = as('contactA1');
    const swapped = { ...y, revision: signRevision({ ...y.revision, envelopes: [x.revision.envelopes[0], ...y.revision.envelopes.slice(1)] }, a1.keys.signSecretKey) };
    await expect(outcome(a1.cases.create({ ...swapped, revision: { ...swapped.revision, envelopes: [...swapped.revision.envelopes] } }))).resolves.toMatchObject({
      status: 400,
      fields: ['revision.envelopes.0.envelope'],
    });
    const byA2 = { ...y.revision, authorUserId: app.cast.members.contactA2.userId };
    const signedByA2 = signRevision(byA2, as('contactA2').keys.signSecretKey);
    await expect(outcome(a1.cases.create({ ...y, revision: { ...signedByA2, envelopes: [...signedByA2.envelopes] } }))).resolves.toMatchObject({
      status: 400,
      fields: ['revision.authorUserId'],
    });
    const a2KeyForA1 = signRevision(y.revision, as('contactA2').keys.signSecretKey);
    await expect(outcome(a1.cases.create({ ...y, revision: { ...a2KeyForA1, envelopes: [...a2KeyForA1.envelopes] } }))).resolves.toMatchObject({
      status: 400,
      fields: ['revision.signature'],
    });
    const flipped = y.revision.signature.startsWith('A') ? `B${y.revision.signature.slice(1)}` : `A${y.revision.signature.slice(1)}`;
    await expect(outcome(a1.cases.create({ ...y, revision: { ...y.revision, signature: flipped } }))).resolves.toMatchObject({
      status: 400,
      fields: ['revision.signature'],
    });
  });

  it('makes the reader refuse envelopes a hostile server moved between cases, or a relabelled wrap', async () => {
    const x = await createCase(as('contactA1'), newCase('moved-x'));
    const y = await createCase(as('contactA1'), newCase('moved-y'));
    await querySql(app.database.url, `UPDATE cases SET envelopes = (SELECT envelopes FROM cases WHERE id = $1) WHERE id = $2`, [x.id, y.id]);
    await expect(getCase(as('contactA2'), y.id)).rejects.toBeInstanceOf(CaseIntegrityError);
    // The whole revision (envelopes and signature) moved: signed for x, so refused as another record's.
    await querySql(
      app.database.url,
      `UPDATE cases SET envelopes = x.envelopes, revision_signature = x.revision_signature FROM cases x WHERE x.id = $1 AND cases.id = $2`,
      [x.id, y.id],
    );
    await expect(getCase(as('contactA2'), y.id)).rejects.toMatchObject({ name: 'CaseIntegrityError' });
    // A relabelled wrap: the writer signed the sealed bytes, so swapping them is caught before they are opened.
    await querySql(app.database.url, `UPDATE data_key_wraps SET sealed = w.sealed FROM data_key_wraps w WHERE w.key_id = $1 AND data_key_wraps.key_id = $2`, [
      y.keyId,
      x.keyId,
    ]);
    await expect(getCase(as('contactA2'), x.id)).rejects.toMatchObject({ name: 'CaseIntegrityError', reason: 'bad_signature' });
  });

  it("makes the reader refuse a wrap whose signature is gone, altered, another record's or another writer's", async () => {
    const x = await createCase(as('contactA1'), newCase('wrap-x'));
    const y = await createCase(as('contactA1'), newCase('wrap-y'));
    const wrapOf = async (keyId: string): Promise<{ sealed: string; signature: string }> =>
      (await querySql<{ sealed: string; signature: string }>(app.database.url, `SELECT sealed, signature FROM data_key_wraps WHERE key_id = $1`, [keyId]))[0];
    const original = await wrapOf(x.keyId);
    const tamper = async (set: string, params: unknown[] = []): Promise<void> => {
      await querySql(app.database.url, `UPDATE data_key_wraps SET ${set} WHERE key_id = $1`, [x.keyId, ...params]);
    };
    const restore = (): Promise<void> => tamper(`writer_id = $2, signature = $3, record_id = $4`, [app.cast.members.contactA1.userId, original.signature, x.id]);

    await tamper(`writer_id = NULL, signature = NULL`);
    await expect(getCase(as('contactA2'), x.id)).rejects.toMatchObject({ name: 'CaseIntegrityError', reason: 'unsigned_wrap' });
    await restore();
    await tamper(`signature = $2`, [flip(original.signature)]);
    await expect(getCase(as('contactA2'), x.id)).rejects.toMatchObject({ name: 'CaseIntegrityError', reason: 'bad_signature' });
    await restore();
    // y's whole wrap (sealed, signature, binding) served with x: it names y, not x.
    const other = await wrapOf(y.keyId);
    await tamper(`sealed = $2, signature = $3, record_id = $4`, [other.sealed, other.signature, y.id]);
    await expect(getCase(as('contactA2'), x.id)).rejects.toMatchObject({ name: 'CaseIntegrityError', reason: 'mismatch' });
    await tamper(`sealed = $2`, [original.sealed]);
    await restore();
    await tamper(`writer_id = $2`, [app.cast.members.contactA2.userId]);
    await expect(getCase(as('contactA2'), x.id)).rejects.toMatchObject({ name: 'CaseIntegrityError', reason: 'bad_signature' });
    await restore();
    await expect(getCase(as('contactA2'), x.id)).resolves.toMatchObject({ id: x.id });
  });

  it('fails the read when its audit event cannot be written', async () => {
    const created = await createCase(as('contactA1'), newCase('audit-fails'));
    await querySql(app.database.url, `ALTER TABLE audit_events ADD CONSTRAINT test_no_case_reads CHECK (action <> 'case.read') NOT VALID`);
    try {
      await expect(outcome(as('contactA1').cases.get(created.id))).resolves.toMatchObject({ status: 500 });
    } finally {
      await querySql(app.database.url, `ALTER TABLE audit_events DROP CONSTRAINT test_no_case_reads`);
    }
  });
});

describe('transfer', () => {
  it('refuses without consent unless overridden (audited), then the receiver opens and the sender gets 404', async () => {
    const created = await createCase(as('contactA1'), newCase('transfer', { consentToTransfer: false }));
    await addCaseEvent(as('contactA1'), created.id, { type: 'THREAT_INCIDENT', body: 'followed home' });
    const target = { targetEmbassyId: app.cast.ids.embassyB, expectedTeamFingerprint: teams.fingerprints.embassyB };
    await expect(outcome(transferCase(as('contactA1'), created.id, target))).resolves.toMatchObject({ status: 409, reason: 'consent-required' });
    await expect(
      transferCase(as('contactA1'), created.id, { ...target, expectedTeamFingerprint: teams.fingerprints.embassyA }),
    ).rejects.toBeInstanceOf(TeamFingerprintMismatchError);

    const moved = await transferCase(as('contactA1'), created.id, { ...target, overrideReason: 'IMMINENT_DANGER_TO_LIFE' });
    expect(moved).toMatchObject({ fromEmbassyId: app.cast.ids.embassyA, toEmbassyId: app.cast.ids.embassyB, override: true });
    expect(moved.reference).toMatch(/^CO-\d{4}-\d{4}$/);
    await expect(outcome(as('contactA1').cases.get(created.id))).resolves.toMatchObject({ status: 404 });
    await expect(outcome(as('contactA2').cases.listEvents(created.id))).resolves.toMatchObject({ status: 404 });

    // Nothing at embassy B vouches for the author at embassy A until its fingerprint is compared.
    await expect(getCase(as('contactB2'), created.id)).rejects.toBeInstanceOf(UnverifiedAuthorError);
    await compareFingerprints(app, as('contactB2'), 'contactA1');
    await compareFingerprints(app, as('contactB1'), 'contactA1');
    const opened = await getCase(as('contactB2'), created.id);
    expect(opened.content.identity.fullName).toBe('Defender transfer');
    expect(opened.embassyId).toBe(app.cast.ids.embassyB);
    const timeline = await listCaseEvents(as('contactB1'), created.id);
    expect(timeline.items.map((event) => event.type)).toEqual(['THREAT_INCIDENT', 'TRANSFER']);
    expect(timeline.items[0].body).toBe('followed home');

    await expect(findDuplicates(as('contactB1'), { name: 'Defender transfer' })).resolves.toEqual([]);
    await reindexCase(as('contactB1'), created.id);
    await expect(findDuplicates(as('contactB1'), { name: 'Defender transfer' })).resolves.toMatchObject([{ caseId: created.id }]);

    const wraps = await querySql<{ scope_id: string }>(app.database.url, `SELECT scope_id FROM data_key_wraps WHERE key_id = $1`, [created.keyId]);
    expect(wraps).toEqual([{ scope_id: app.cast.ids.embassyB }]);
    await expect(auditCount('case.transferred', created.id)).resolves.toBe(1);
    await expect(auditCount('case.transfer-override', created.id)).resolves.toBe(1);
  });

  it('refuses a transfer whose wrap or act is unsigned or badly signed; keeps the signature of a good one in the audit trail', async () => {
    const a1 = as('contactA1');
    const created = await createCase(a1, newCase('transfer-signed'));
    const target = { targetEmbassyId: app.cast.ids.embassyB, expectedTeamFingerprint: teams.fingerprints.embassyB };
    const spy = jest.spyOn(a1.cases, 'transfer').mockRejectedValueOnce(new Error('captured'));
    await expect(transferCase(a1, created.id, target)).rejects.toThrow('captured');
    const body = spy.mock.calls[0][1];
    spy.mockRestore();
    const { signature: _actSignature, ...withoutSignature } = body;
    const { signature: _wrapSignature, ...unsignedWrap } = body.wrap;
    const action = {
      action: 'transfer' as const,
      entity: 'case',
      recordId: created.id,
      version: created.version,
      actorUserId: a1.user.id,
      confirmation: `TRANSFER ${created.reference} TO ${app.cast.ids.embassyB}`,
    };
    const refused: [string, unknown, string][] = [
      ['act unsigned', withoutSignature, 'signature'],
      ['act badly signed', { ...body, signature: flip(body.signature) }, 'signature'],
      ['act signed for another version', { ...body, signature: signRecordAction({ ...action, version: 99 }, a1.keys.signSecretKey) }, 'signature'],
      ['act signed for another embassy', { ...body, signature: signRecordAction({ ...action, confirmation: `TRANSFER ${created.reference} TO ${randomUUID()}` }, a1.keys.signSecretKey) }, 'signature'],
      ['act signed by another member', { ...body, signature: signRecordAction(action, as('contactA2').keys.signSecretKey) }, 'signature'],
      ['wrap unsigned', { ...body, wrap: unsignedWrap }, 'wrap.signature'],
      ['wrap badly signed', { ...body, wrap: { ...body.wrap, signature: flip(body.wrap.signature) } }, 'wrap.signature'],
      ['wrap of another case', { ...body, wrap: signDataKeyWrap(body.wrap, { ...body.wrap, recordId: randomUUID() }, a1.keys.signSecretKey) }, 'wrap.recordId'],
      [
        'wrap by another member',
        { ...body, wrap: signDataKeyWrap(body.wrap, { ...body.wrap, writerUserId: as('contactA2').user.id }, as('contactA2').keys.signSecretKey) },
        'wrap.writerUserId',
      ],
    ];
    for (const [label, request, field] of refused) {
      const result = await outcome(a1.cases.transfer(created.id, request as TransferCaseRequest));
      expect({ label, status: result.status, fields: result.fields }).toEqual({ label, status: 400, fields: [field] });
    }
    expect(signRecordAction(action, a1.keys.signSecretKey)).toBe(body.signature);
    await expect(outcome(a1.cases.transfer(created.id, body))).resolves.toMatchObject({ status: 200 });
    await expect(auditDetails('case.transferred', created.id)).resolves.toMatchObject({
      actorSignature: body.signature,
      signedVersion: created.version,
      confirmation: action.confirmation,
    });
    const [wrap] = await querySql<{ writer_id: string; record_id: string; signature: string }>(
      app.database.url,
      `SELECT writer_id, record_id, signature FROM data_key_wraps WHERE key_id = $1`,
      [created.keyId],
    );
    expect(wrap).toEqual({ writer_id: a1.user.id, record_id: created.id, signature: body.wrap.signature });
    await expect(getCase(as('contactB2'), created.id)).resolves.toMatchObject({ embassyId: app.cast.ids.embassyB });
  });

  it('transfers on recorded consent without an override', async () => {
    const created = await createCase(as('contactA1'), newCase('consented'));
    const moved = await transferCase(as('contactA1'), created.id, {
      targetEmbassyId: app.cast.ids.embassyB,
      expectedTeamFingerprint: teams.fingerprints.embassyB,
    });
    expect(moved.override).toBe(false);
    await expect(auditCount('case.transfer-override', created.id)).resolves.toBe(0);
  });
});

describe('shred', () => {
  it('needs the typed confirmation, then nobody can open the case and the SDK says why; the skeleton stays', async () => {
    const created = await createCase(as('contactA1'), newCase('shred'));
    await addCaseEvent(as('contactA1'), created.id, { type: 'CONTACT', body: 'met at the embassy' });
    const a1 = as('contactA1');
    const confirm = `SHRED ${created.reference}`;
    const action = { action: 'shred' as const, entity: 'case', recordId: created.id, version: created.version, actorUserId: a1.user.id, confirmation: confirm };
    const good = signRecordAction(action, a1.keys.signSecretKey);
    await expect(outcome(a1.cases.shred(created.id, { confirm: 'SHRED', version: created.version, signature: good }))).resolves.toMatchObject({
      status: 400,
      fields: ['confirm'],
    });
    const refused: [string, unknown, number, string[]][] = [
      ['unsigned', { confirm, version: created.version }, 400, ['signature']],
      ['no version', { confirm, signature: good }, 400, ['version']],
      ['badly signed', { confirm, version: created.version, signature: flip(good) }, 400, ['signature']],
      ['signed by another member', { confirm, version: created.version, signature: signRecordAction(action, as('contactA2').keys.signSecretKey) }, 400, ['signature']],
      ['signed as a transfer', { confirm, version: created.version, signature: signRecordAction({ ...action, action: 'transfer' }, a1.keys.signSecretKey) }, 400, ['signature']],
      ['a stale version', { confirm, version: created.version + 5, signature: signRecordAction({ ...action, version: created.version + 5 }, a1.keys.signSecretKey) }, 409, []],
    ];
    for (const [label, body, status, fields] of refused) {
      const result = await outcome(a1.cases.shred(created.id, body as { confirm: string; version: number; signature: string }));
      expect({ label, status: result.status, fields: result.fields }).toEqual({ label, status, fields });
    }
    await expect(getCase(as('contactA2'), created.id)).resolves.toMatchObject({ shreddedAt: null });
    const shredded = await shredCase(as('contactA2'), created.id, created.reference);
    expect(shredded.shreddedAt).not.toBeNull();
    const details = await auditDetails('case.shredded', created.id);
    expect(details).toMatchObject({ signedVersion: created.version, confirmation: confirm, wrapsDeleted: 1 });
    expect(details.actorSignature).toBe(
      signRecordAction({ ...action, actorUserId: as('contactA2').user.id }, as('contactA2').keys.signSecretKey),
    );

    for (const reader of ['contactA1', 'contactA2'] as const) {
      await expect(getCase(as(reader), created.id)).rejects.toBeInstanceOf(CaseShreddedError);
      await expect(listCaseEvents(as(reader), created.id)).rejects.toBeInstanceOf(CaseShreddedError);
    }
    await expect(getCase(as('contactA1'), created.id)).rejects.toThrow(`case ${created.reference} was shredded`);
    await expect(outcome(updateCase(as('contactA1'), created.id, { version: shredded.version, riskLevel: 'LOW' }))).resolves.toMatchObject({
      status: 409,
      reason: 'shredded',
    });
    await expect(outcome(shredCase(as('contactA1'), created.id, created.reference))).resolves.toMatchObject({ status: 409, reason: 'shredded' });

    const [row] = await querySql<{ envelopes: unknown; revision_signature: unknown; status: string }>(
      app.database.url,
      `SELECT envelopes, revision_signature, status FROM cases WHERE id = $1`,
      [created.id],
    );
    expect(row).toEqual({ envelopes: null, revision_signature: null, status: 'OPEN' });
    await expect(querySql(app.database.url, `SELECT 1 FROM data_key_wraps WHERE key_id = $1`, [created.keyId])).resolves.toEqual([]);
    await expect(querySql(app.database.url, `SELECT 1 FROM case_events WHERE case_id = $1 AND body IS NOT NULL`, [created.id])).resolves.toEqual([]);
    await expect(querySql(app.database.url, `SELECT 1 FROM case_blind_indexes WHERE case_id = $1`, [created.id])).resolves.toEqual([]);
    expect((await listCases(as('contactA1'), { limit: 200 })).items.find((item) => item.id === created.id)?.shreddedAt).not.toBeNull();
    await expect(auditCount('case.shredded', created.id)).resolves.toBe(1);
  });
});
