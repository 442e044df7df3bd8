/**
 * Every route × every role × (own scope, other scope, anonymous), generated from the
 * router: anonymous callers get 401 on every non-public route, a role outside the
 * route's permission gets 403, an allowed role passes the guard, and an object of
 * another scope answers 404 exactly like a missing one. A member without a grant of its
 * team gets 403 `team-grant-required` on every route that needs one, and passes the
 * others (key routes: it must be able to see the team and wait for its grant).
 */
import { ROLES_BY_PERMISSION, TEAM_GRANT_REQUIRED } from '../../src/common/authz/permissions';
import type { EgideSession } from '../../src/client/egide-session';
import { bootstrapTeam } from '../../src/client/team-keys-flow';
import { servedRoutes } from '../support/nest-routes';
import { startCastApp, type CastApp } from '../support/cast';
import { prepareRouteMatrix, ROUTE_MATRIX, SUBJECTS, TEAMLESS_SUBJECTS, UNGRANTED_SUBJECT, type MatrixCall, type MatrixRow, type Subject } from './route-matrix';

type SignedInSubject = Exclude<Subject, 'anonymous'>;

let app: CastApp;
const sessions = new Map<SignedInSubject, EgideSession>();

beforeAll(async () => {
  app = await startCastApp();
  await prepareRouteMatrix(app.database.url, app.cast);
  for (const subject of SUBJECTS) {
    if (subject !== 'anonymous') sessions.set(subject, await app.login(subject));
  }
  // Embassy A gets a team, founded by contactA1 and granted to nobody else.
  const founder = sessions.get('contactA1');
  if (founder === undefined) throw new Error('contactA1 is not signed in');
  await bootstrapTeam(founder);
});

afterAll(async () => {
  await app.close();
});

const served = (): string[] => servedRoutes(app.server.app).map((route) => `${route.method} ${route.path}`);

function methodOf(route: string): string {
  return route.split(' ', 1)[0].toUpperCase();
}

const TEAM_GRANT_REQUIRED_TYPE = 'urn:egide:problem:team-grant-required';

/** The status of a call, and the problem type when it failed. */
async function call(route: string, target: MatrixCall, token: string | undefined): Promise<{ status: number; type?: string }> {
  const response = await app.request(target.path, {
    method: methodOf(route),
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(target.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: target.body === undefined ? undefined : JSON.stringify(target.body),
  });
  const text = await response.text();
  if (response.ok) return { status: response.status };
  const problem = (text === '' ? {} : JSON.parse(text)) as { type?: string };
  return { status: response.status, type: problem.type };
}

async function tokenFor(subject: SignedInSubject, row: MatrixRow): Promise<string> {
  // A call that ends its session gets a session of its own, so later rows keep theirs.
  const session = row.endsSession === true ? await app.login(subject) : sessions.get(subject);
  if (session === undefined) throw new Error(`no session for ${subject}`);
  return session.currentRawAccessToken;
}

function roleOf(subject: SignedInSubject): string {
  return app.cast.members[subject].role;
}

it('has exactly one row per served route', () => {
  expect(Object.keys(ROUTE_MATRIX).sort()).toEqual(served().sort());
});

it('states the access each route declares', () => {
  const declared = Object.fromEntries(servedRoutes(app.server.app).map((route) => [`${route.method} ${route.path}`, route.access]));
  const stated = Object.fromEntries(Object.entries(ROUTE_MATRIX).map(([route, row]) => [route, row.access]));
  expect(declared).toEqual(stated);
});

describe.each(Object.entries(ROUTE_MATRIX))('%s', (route, row) => {
  it.each(SUBJECTS)('as %s', async (subject) => {
    if (subject === 'anonymous') {
      const { status } = await call(route, row.own(app.cast, 'admin'), undefined);
      if (row.access === 'public') expect(status).not.toBe(403);
      else expect(status).toBe(401);
      return;
    }
    const allowed = row.access === 'public' || ROLES_BY_PERMISSION[row.access].some((role) => role === roleOf(subject));
    const own = await call(route, row.own(app.cast, subject), await tokenFor(subject, row));
    // Logging out everywhere ends the shared session too: sign in again for later rows.
    if (row.endsSession === true) sessions.set(subject, await app.login(subject));
    if (!allowed) {
      expect({ route, subject, status: own.status }).toEqual({ route, subject, status: 403 });
      expect(own.type).not.toBe(TEAM_GRANT_REQUIRED_TYPE);
      return;
    }
    if ((subject === UNGRANTED_SUBJECT || TEAMLESS_SUBJECTS.includes(subject)) && row.access !== 'public' && TEAM_GRANT_REQUIRED[row.access]) {
      // Decided by the guard before any object is looked up: another scope's gets the same answer.
      const refused = { route, subject, status: 403, type: TEAM_GRANT_REQUIRED_TYPE };
      expect({ route, subject, ...own }).toEqual(refused);
      if (row.otherScope !== undefined) {
        const other = await call(route, row.otherScope(app.cast, subject), await tokenFor(subject, row));
        expect({ route, subject, ...other }).toEqual(refused);
      }
      return;
    }
    expect([401, 403]).not.toContain(own.status);
    if (row.otherScope !== undefined) {
      expect(own.status).not.toBe(404);
      const other = await call(route, row.otherScope(app.cast, subject), await tokenFor(subject, row));
      expect({ route, subject, status: other.status }).toEqual({ route, subject, status: 404 });
    }
  });
});
