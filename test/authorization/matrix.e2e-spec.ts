/**
 * Every route × every role × (own scope, other scope, anonymous), generated from the
 * router: anonymous callers get 401 on every non-public route, a role outside the
 * route's permission gets 403, an allowed role passes the guard, and an object of
 * another scope answers 404 exactly like a missing one.
 */
import { ROLES_BY_PERMISSION } from '../../src/common/authz/permissions';
import type { EgideSession } from '../../src/client/egide-session';
import { servedRoutes } from '../support/nest-routes';
import { startCastApp, type CastApp } from '../support/cast';
import { prepareRouteMatrix, ROUTE_MATRIX, SUBJECTS, type MatrixCall, type MatrixRow, type Subject } from './route-matrix';

type SignedInSubject = Exclude<Subject, 'anonymous'>;

let app: CastApp;
const sessions = new Map<SignedInSubject, EgideSession>();

beforeAll(async () => {
  app = await startCastApp();
  await prepareRouteMatrix(app.database.url, app.cast);
  for (const subject of SUBJECTS) {
    if (subject !== 'anonymous') sessions.set(subject, await app.login(subject));
  }
});

afterAll(async () => {
  await app.close();
});

const served = (): string[] => servedRoutes(app.server.app).map((route) => `${route.method} ${route.path}`);

function methodOf(route: string): string {
  return route.split(' ', 1)[0].toUpperCase();
}

async function call(route: string, target: MatrixCall, token: string | undefined): Promise<number> {
  const response = await app.request(target.path, {
    method: methodOf(route),
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(target.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: target.body === undefined ? undefined : JSON.stringify(target.body),
  });
  await response.arrayBuffer();
  return response.status;
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
      const status = await call(route, row.own(app.cast, 'admin'), undefined);
      if (row.access === 'public') expect(status).not.toBe(403);
      else expect(status).toBe(401);
      return;
    }
    const allowed = row.access === 'public' || ROLES_BY_PERMISSION[row.access].some((role) => role === roleOf(subject));
    const own = await call(route, row.own(app.cast, subject), await tokenFor(subject, row));
    // Logging out everywhere ends the shared session too: sign in again for later rows.
    if (row.endsSession === true) sessions.set(subject, await app.login(subject));
    if (!allowed) {
      expect({ route, subject, status: own }).toEqual({ route, subject, status: 403 });
      return;
    }
    expect([401, 403]).not.toContain(own);
    if (row.otherScope !== undefined) {
      expect(own).not.toBe(404);
      const other = await call(route, row.otherScope(app.cast, subject), await tokenFor(subject, row));
      expect({ route, subject, status: other }).toEqual({ route, subject, status: 404 });
    }
  });
});
