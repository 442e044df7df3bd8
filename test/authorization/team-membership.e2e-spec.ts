/**
 * Membership comes from members: a contact may use its embassy's case routes only while
 * it holds a grant of the embassy's current team generation, whatever the administrator
 * did. Every case route answers 403 `team-grant-required` (with scopeId and generation,
 * audited) to a contact the team has not admitted: one the administrator just made, one
 * re-enrolled, one of an embassy with no team yet; key routes stay open to them. Once a
 * member grants, the same contact works; the first member creates generation 1 and then
 * has access. The administrator is told when an invitation goes to a scope with no team.
 */
import { createCase, getCase, listCases, updateCase } from '../../src/client/case-flow';
import type { EgideSession } from '../../src/client/egide-session';
import { EgideApiError, type ProblemBody } from '../../src/client/http-client';
import { bootstrapTeam, grantTo, pendingMembers } from '../../src/client/team-keys-flow';
import { base32Decode, totpCode, totpStep } from '../../src/auth/totp';
import { TEAM_GRANT_REQUIRED } from '../../src/common/authz/permissions';
import type { CaseSummaryResponse } from '../../src/cases/dto/case.response';
import { readyCrypto } from '../../src/crypto/protocol-hash';
import { newCase } from '../cases/case-factory';
import { startCastApp, type CastApp } from '../support/cast';
import { servedRoutes } from '../support/nest-routes';
import { querySql } from '../support/test-database';

const TEAM_GRANT_REQUIRED_TYPE = 'urn:egide:problem:team-grant-required';

let app: CastApp;
let admin: EgideSession;
let founderA: EgideSession;
let caseA: CaseSummaryResponse;

interface Refusal {
  status: number;
  type?: unknown;
  scopeId?: unknown;
  generation?: unknown;
}

/** How an SDK call ends: 200, or the problem's status, type and team extensions. */
async function outcome(call: Promise<unknown>): Promise<Refusal> {
  try {
    await call;
    return { status: 200 };
  } catch (error) {
    if (!(error instanceof EgideApiError)) throw error;
    const { type, scopeId, generation } = error.problem;
    return { status: error.status, type, scopeId, generation };
  }
}

async function problemOf(call: Promise<unknown>): Promise<ProblemBody> {
  try {
    await call;
  } catch (error) {
    if (error instanceof EgideApiError) return error.problem;
    throw error;
  }
  throw new Error('expected a refusal');
}

function refused(scopeId: string, generation: number | null): Refusal {
  return { status: 403, type: TEAM_GRANT_REQUIRED_TYPE, scopeId, generation };
}

/** A rotation id no scope has: the route answers 404 once the guard lets the caller by. */
const NO_ROTATION = '00000000-0000-4000-8000-000000000000';

/** Every served route whose permission needs a team grant, aimed at `target` (ids filled in). */
function recordRoutes(target: CaseSummaryResponse): { route: string; method: string; path: string }[] {
  return servedRoutes(app.server.app)
    .filter((route) => route.access !== undefined && route.access !== 'public' && TEAM_GRANT_REQUIRED[route.access])
    .map((route) => ({
      route: `${route.method} ${route.path}`,
      method: route.method.toUpperCase(),
      path: route.path.replace('{id}', target.id).replace('{reference}', target.reference).replace('{rotationId}', NO_ROTATION),
    }));
}

/** Calls every record route as `session`: the guard answers before any body is read. */
async function everyRecordRoute(session: EgideSession, target: CaseSummaryResponse): Promise<Record<string, Refusal>> {
  const answers: Record<string, Refusal> = {};
  for (const { route, method, path } of recordRoutes(target)) {
    const hasBody = method !== 'GET';
    const response = await app.request(path, {
      method,
      headers: { authorization: `Bearer ${session.currentRawAccessToken}`, ...(hasBody ? { 'content-type': 'application/json' } : {}) },
      body: hasBody ? '{}' : undefined,
    });
    const body = (await response.json()) as { type?: unknown; scopeId?: unknown; generation?: unknown };
    answers[route] = response.ok ? { status: response.status } : { status: response.status, type: body.type, scopeId: body.scopeId, generation: body.generation };
  }
  return answers;
}

function allRefused(target: CaseSummaryResponse, refusal: Refusal): Record<string, Refusal> {
  return Object.fromEntries(recordRoutes(target).map(({ route }) => [route, refusal]));
}

/** Invites, enrols and activates a new account through the SDK, and signs it in. */
async function newMember(email: string, invite: () => Promise<{ code: string }>): Promise<{ session: EgideSession; fingerprint: string }> {
  const password = `a long enough passphrase for ${email}`;
  const { code } = await invite();
  const account = await app.client.enrol(code, email, password);
  const secret = base32Decode(account.totp.secret);
  app.clock.advance(30_000);
  await account.confirmTotp(totpCode(secret, totpStep(app.clock.nowSeconds())));
  app.clock.advance(30_000);
  const session = await app.client.login(email, password, totpCode(secret, totpStep(app.clock.nowSeconds())));
  return { session, fingerprint: account.user.fingerprint };
}

async function grant(granter: EgideSession, userId: string, fingerprint: string): Promise<void> {
  const pending = (await pendingMembers(granter)).find((member) => member.userId === userId);
  if (pending === undefined) throw new Error(`${userId} is not waiting for a key`);
  await grantTo(granter, pending, fingerprint);
}

async function denials(userId: string): Promise<Record<string, unknown>[]> {
  const rows = await querySql<{ details: Record<string, unknown> }>(
    app.database.url,
    `SELECT details FROM audit_events WHERE action = 'authz.denied' AND actor_id = $1 AND outcome = 'DENIED' ORDER BY id`,
    [userId],
  );
  return rows.map((row) => row.details);
}

beforeAll(async () => {
  await readyCrypto();
  app = await startCastApp();
  admin = await app.login('admin');
  // Embassy A has a team founded by contactA1, and one case; nobody else holds its key yet.
  founderA = await app.login('contactA1');
  await bootstrapTeam(founderA);
  caseA = await createCase(founderA, newCase('membership'));
});

afterAll(async () => {
  await app.close();
});

it('needs a team grant on every case route and on the lists of the scope\'s data keys, and on no other route', () => {
  const dataKeyLists = ['get /api/v1/keys/team/data-keys', 'get /api/v1/keys/team/rotations/{rotationId}/pending-data-keys'];
  const caseRoutes = servedRoutes(app.server.app)
    .map((route) => `${route.method} ${route.path}`)
    .filter((route) => / \/api\/v1\/cases(\/|$)/.test(route) || dataKeyLists.includes(route));
  expect(caseRoutes).toEqual(expect.arrayContaining(['post /api/v1/cases', 'get /api/v1/cases', 'get /api/v1/cases/{id}', 'post /api/v1/cases/{id}/shred']));
  expect(recordRoutes(caseA).map(({ route }) => route).sort()).toEqual(caseRoutes.sort());
});

it('refuses every case route to a contact the administrator made, until a member grants it; then it lists, opens and updates', async () => {
  const newcomer = await newMember('newcomer@embassy-a.example', () =>
    admin.admin.invite({ email: 'newcomer@embassy-a.example', role: 'EMBASSY_CONTACT', embassyId: app.cast.ids.embassyA }),
  );
  const { embassyA } = app.cast.ids;

  expect(await everyRecordRoute(newcomer.session, caseA)).toEqual(allRefused(caseA, refused(embassyA, 1)));
  const problem = await problemOf(newcomer.session.cases.list());
  expect(problem).toMatchObject({ title: 'No grant of your team key yet', detail: expect.stringContaining('ask a member of your embassy') as string });
  // Key routes stay open: the newcomer sees the team and waits for its grant.
  await expect(outcome(newcomer.session.keysApi.holders())).resolves.toEqual({ status: 200 });
  await expect(outcome(newcomer.session.keysApi.pendingMembers())).resolves.toEqual({ status: 200 });
  // Refusals are audited like other denials, with the reason and the generation: one event
  // per route (the second refusal of the list within the hour is counted, not written again).
  const audited = await denials(newcomer.session.user.id);
  expect(audited).toHaveLength(recordRoutes(caseA).length);
  expect(audited[0]).toEqual({
    permission: expect.stringMatching(/^(cases:(read|write)|keys:team:data-keys)$/) as string,
    reason: 'team-grant-required',
    generation: 1,
    route: expect.stringMatching(/^(CasesController|KeysController)\./) as string,
  });

  await grant(founderA, newcomer.session.user.id, newcomer.fingerprint);

  const page = await listCases(newcomer.session);
  expect(page.items.map((item) => item.id)).toContain(caseA.id);
  const opened = await getCase(newcomer.session, caseA.id);
  expect(opened.content.narrative).toBe('Narrative of membership');
  const updated = await updateCase(newcomer.session, caseA.id, { version: opened.version, riskLevel: 'CRITICAL' });
  expect(updated).toMatchObject({ id: caseA.id, riskLevel: 'CRITICAL', version: opened.version + 1 });
  caseA = updated;
});

it('takes access away from a re-enrolled contact until a member grants it again', async () => {
  const member = app.cast.members.contactA2;
  const before = await app.login('contactA2');
  await grant(founderA, member.userId, member.fingerprint);
  await expect(outcome(listCases(before))).resolves.toEqual({ status: 200 });

  const again = await newMember(member.email, () => admin.admin.reinviteUser(member.userId));
  expect(again.fingerprint).not.toBe(member.fingerprint);
  expect(await everyRecordRoute(again.session, caseA)).toEqual(allRefused(caseA, refused(app.cast.ids.embassyA, 1)));

  await grant(founderA, member.userId, again.fingerprint);
  await expect(getCase(again.session, caseA.id)).resolves.toMatchObject({ id: caseA.id });
});

it('refuses a contact of an embassy with no team (generation null); the first member creates generation 1 and then has access', async () => {
  const { embassyB } = app.cast.ids;
  const first = await app.login('contactB1');
  const second = await app.login('contactB2');
  expect(await everyRecordRoute(first, caseA)).toEqual(allRefused(caseA, refused(embassyB, null)));
  const problem = await problemOf(first.cases.list());
  expect(problem.detail).toContain('no team key yet');

  const { response } = await bootstrapTeam(first);
  expect(response).toMatchObject({ scopeId: embassyB, generation: 1 });
  const created = await createCase(first, newCase('founder', { countryOfActivity: 'CO' }));
  await expect(getCase(first, created.id)).resolves.toMatchObject({ id: created.id, embassyId: embassyB });
  // Another embassy's case is still another scope's: not found, as before.
  await expect(outcome(first.cases.get(caseA.id))).resolves.toMatchObject({ status: 404 });
  // The second contact was not admitted by the founder: refused, now naming generation 1.
  await expect(outcome(listCases(second))).resolves.toEqual(refused(embassyB, 1));
});

it('tells the administrator whether the invitation goes to a scope that already has a team', async () => {
  const withTeam = await admin.admin.invite({ email: 'second@embassy-a.example', role: 'EMBASSY_CONTACT', embassyId: app.cast.ids.embassyA });
  expect(withTeam.scopeHasTeam).toBe(true);
  const withoutTeam = await admin.admin.invite({ email: 'first@org-y.example', role: 'NGO', organisationId: app.cast.ids.orgY });
  expect(withoutTeam.scopeHasTeam).toBe(false);
  const coordinator = await admin.admin.invite({ email: 'coordinator3@network.example', role: 'COORDINATOR' });
  expect(coordinator.scopeHasTeam).toBe(false);
  const auditor = await admin.admin.invite({ email: 'auditor3@system.example', role: 'AUDITOR' });
  expect(auditor.scopeHasTeam).toBe(false);
  const reinvited = await admin.admin.reinviteUser(app.cast.members.contactB2.userId);
  expect(reinvited.scopeHasTeam).toBe(true);
});
