/**
 * Cases by reference (`GET /api/v1/cases/by-reference/:reference`, SDK
 * `findCaseByReference`): a contact finds their embassy's case by the reference people
 * quote (KE-2026-0042) and gets its clear summary; another embassy's reference answers
 * 404 exactly like a missing one; a malformed reference is a 400 problem naming the
 * field; a shredded case is still found (its skeleton stays, `shreddedAt` set).
 *
 * The lookup reads clear columns only, so the cases here are clear skeletons written in
 * SQL (as the authorization matrix does): the test does not depend on how sealed content
 * is made, which other tests cover.
 */
import { randomUUID } from 'node:crypto';
import { findCaseByReference } from '../../src/client/case-flow';
import type { EgideSession } from '../../src/client/egide-session';
import { EgideApiError } from '../../src/client/http-client';
import { startCastApp, type CastApp, type CastKey } from '../support/cast';
import { querySql } from '../support/test-database';
import { setUpEmbassyTeams, type EmbassyTeams } from '../support/teams';

type Contact = 'contactA1' | 'contactA2' | 'contactB1';

let app: CastApp;
let teams: EmbassyTeams;

function as(key: Contact): EgideSession {
  return teams.sessions[key];
}

/** A clear case skeleton of the member's embassy, under the next free reference of a year no other test uses. */
let sequence = 0;
async function skeleton(author: CastKey, options: { shredded?: boolean } = {}): Promise<{ id: string; reference: string }> {
  const member = app.cast.members[author];
  const country = member.scopeId === app.cast.ids.embassyA ? 'KE' : 'CO';
  sequence += 1;
  const id = randomUUID();
  const reference = `${country}-2099-${String(sequence).padStart(4, '0')}`;
  const shredded = options.shredded === true;
  await querySql(
    app.database.url,
    `INSERT INTO cases (id, reference, embassy_id, status, risk_level, threat_types, defender_groups, country_of_activity, version,
                        key_id, envelopes, revision, revision_author_id, revision_signature, created_by, shredded_at)
     VALUES ($1, $2, $3, 'OPEN', 'HIGH', '{SURVEILLANCE}', '{}', $4, 1, $5,
             CASE WHEN $7 THEN NULL ELSE '[{"field":"identity","envelope":"AQE"}]'::jsonb END, 1, $6, CASE WHEN $7 THEN NULL ELSE 'unsigned-fixture' END, $6,
             CASE WHEN $7 THEN now() END)`,
    [id, reference, member.scopeId, country, randomUUID(), member.userId, shredded],
  );
  return { id, reference };
}

/** The raw answer, to compare bodies and content types byte for byte where it matters. */
async function lookUp(key: Contact, reference: string): Promise<{ status: number; type: string | null; body: Record<string, unknown> }> {
  const response = await app.request(`/api/v1/cases/by-reference/${encodeURIComponent(reference)}`, {
    headers: { authorization: `Bearer ${as(key).currentRawAccessToken}` },
  });
  return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as Record<string, unknown> };
}

/** A problem body without what differs on every request. */
function problemShape(body: Record<string, unknown>): Record<string, unknown> {
  const { requestId: _requestId, ...rest } = body;
  return rest;
}

beforeAll(async () => {
  app = await startCastApp();
  // Case routes need the caller to hold the embassy's current team key.
  teams = await setUpEmbassyTeams(app);
});

afterAll(async () => {
  for (const session of Object.values(teams.sessions)) session.lock();
  await app.close();
});

it("finds my embassy's case by its reference, with the same summary as the case itself", async () => {
  const created = await skeleton('contactA1');
  const found = await findCaseByReference(as('contactA2'), created.reference);
  expect(found).toMatchObject({ id: created.id, reference: created.reference, embassyId: app.cast.ids.embassyA, status: 'OPEN', shreddedAt: null });
  const { sealed: _sealed, ...summary } = await as('contactA2').cases.get(created.id);
  expect(found).toEqual(summary);
});

it("answers another embassy's reference with 404, exactly like a missing one", async () => {
  const created = await skeleton('contactA1');
  const elsewhere = await lookUp('contactB1', created.reference);
  const missing = await lookUp('contactB1', 'CO-2099-999999');
  expect(elsewhere.status).toBe(404);
  expect(problemShape(elsewhere.body)).toEqual(problemShape(missing.body));
  expect(elsewhere.type).toBe(missing.type);
  // The case is there for its own embassy, and the other way round likewise.
  expect((await lookUp('contactA1', created.reference)).status).toBe(200);
  const theirs = await skeleton('contactB1');
  expect((await lookUp('contactB1', theirs.reference)).body).toMatchObject({ id: theirs.id, embassyId: app.cast.ids.embassyB });
  expect((await lookUp('contactA1', theirs.reference)).status).toBe(404);
});

it('refuses a malformed reference with a 400 problem naming the field', async () => {
  for (const malformed of ['ke-2026-0042', 'KE-2026-42', 'KE-26-0042', 'KEN-2026-0042', 'KE-2026-0042 ', "KE-2026-0042' OR 1=1"]) {
    const answer = await lookUp('contactA1', malformed);
    expect({ malformed, status: answer.status }).toEqual({ malformed, status: 400 });
    expect(answer.type).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ type: 'urn:egide:problem:validation-failed', status: 400 });
    expect((answer.body.errors as { field: string }[]).map((error) => error.field)).toEqual(['reference']);
  }
  await expect(findCaseByReference(as('contactA1'), 'nope')).rejects.toBeInstanceOf(EgideApiError);
});

it('still finds a shredded case: the skeleton stays, marked shredded', async () => {
  const created = await skeleton('contactA1', { shredded: true });
  const found = await findCaseByReference(as('contactA2'), created.reference);
  expect(found).toMatchObject({ id: created.id, reference: created.reference });
  expect(found.shreddedAt).not.toBeNull();
});

it('is not for other roles (403)', async () => {
  const ngo = await app.login('ngoX1');
  const response = await app.request('/api/v1/cases/by-reference/KE-2026-0001', { headers: { authorization: `Bearer ${ngo.currentRawAccessToken}` } });
  expect(response.status).toBe(403);
  ngo.lock();
});
