/**
 * Every administration route, read from Nest's router, is closed to anonymous callers
 * (401) and to every role but ADMIN (403), whatever the body: a new route under
 * /api/v1/admin is covered here without anyone adding a line.
 */
import { randomUUID } from 'node:crypto';
import type { CastKey } from '../support/cast';
import { startCastApp, type CastApp } from '../support/cast';
import { servedRoutes, type ServedRoute } from '../support/nest-routes';

let app: CastApp;
let adminRoutes: ServedRoute[];
const tokens = new Map<CastKey, string>();
const OTHER_ROLES: CastKey[] = ['auditor', 'contactA1', 'ngoX1', 'coordinator1'];

beforeAll(async () => {
  app = await startCastApp();
  adminRoutes = servedRoutes(app.server.app).filter((route) => route.path.startsWith('/api/v1/admin/'));
  for (const key of OTHER_ROLES) tokens.set(key, (await app.login(key)).currentRawAccessToken);
});

afterAll(async () => {
  await app.close();
});

function call(route: ServedRoute, token: string | undefined): Promise<Response> {
  const path = route.path.replace('{id}', randomUUID());
  const method = route.method.toUpperCase();
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const hasBody = method === 'POST' || method === 'PATCH';
  if (hasBody) headers['content-type'] = 'application/json';
  return app.request(path, { method, headers, body: hasBody ? '{}' : undefined });
}

it('finds every administration route in the router', () => {
  expect(adminRoutes.map((route) => `${route.method} ${route.path}`).sort()).toEqual([
    'delete /api/v1/admin/invitations/{id}',
    'get /api/v1/admin/embassies',
    'get /api/v1/admin/embassies/{id}',
    'get /api/v1/admin/invitations',
    'get /api/v1/admin/organisations',
    'get /api/v1/admin/organisations/{id}',
    'get /api/v1/admin/users',
    'get /api/v1/admin/users/{id}',
    'patch /api/v1/admin/embassies/{id}',
    'patch /api/v1/admin/organisations/{id}',
    'patch /api/v1/admin/users/{id}/role',
    'post /api/v1/admin/embassies',
    'post /api/v1/admin/invitations',
    'post /api/v1/admin/organisations',
    'post /api/v1/admin/users/{id}/disable',
    'post /api/v1/admin/users/{id}/enable',
    'post /api/v1/admin/users/{id}/reenrolment',
  ]);
});

it('answers 401 to anonymous callers on every route', async () => {
  for (const route of adminRoutes) {
    const response = await call(route, undefined);
    expect({ route: `${route.method} ${route.path}`, status: response.status }).toEqual({
      route: `${route.method} ${route.path}`,
      status: 401,
    });
  }
});

it('answers 403 to every other role on every route', async () => {
  for (const key of OTHER_ROLES) {
    for (const route of adminRoutes) {
      const response = await call(route, tokens.get(key));
      const body = (await response.json()) as { type: string };
      expect({ key, route: `${route.method} ${route.path}`, status: response.status, type: body.type }).toEqual({
        key,
        route: `${route.method} ${route.path}`,
        status: 403,
        type: 'urn:egide:problem:forbidden',
      });
    }
  }
});
