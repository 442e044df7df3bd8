/**
 * The OpenAPI document covers every route the router serves and declares what the server
 * enforces: it is derived from the validators and the guards without a gap, every
 * string, array and integer is bounded, every operation says who may call it and
 * documents its problems and rate-limit headers, and the bounds it states are the ones
 * the server applies. (Every response the e2e suite sees is checked against it too:
 * test/support/response-schema.ts.)
 */
import { buildOpenApiDocument } from '../src/common/http/openapi';
import { MAX_FIELD_ERRORS, MAX_FIELD_PATH_LENGTH } from '../src/common/http/problem';
import { ADMINISTRATOR_SCHEME, MEMBER_SCHEME } from '../src/common/openapi/operation-contract';
import { servedRoutes } from './support/nest-routes';
import { ProbeModule } from './probe/probe.module';
import { startTestApp, type TestApp } from './support/test-app';

interface Schema {
  type?: string;
  maxLength?: number;
  enum?: unknown[];
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  format?: string;
  pattern?: string;
  items?: Schema;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean;
  required?: string[];
}
interface Response {
  content?: Record<string, { schema?: { $ref?: string } }>;
  headers?: Record<string, { required?: boolean }>;
}
interface Operation {
  operationId: string;
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; schema: Schema }[];
  responses: Record<string, Response>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, unknown> };
}

let app: TestApp;
let document: OpenApiDocument;

const operations = (): { path: string; method: string; operation: Operation }[] =>
  Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item).map(([method, operation]) => ({ path, method, operation })));

beforeAll(async () => {
  app = await startTestApp();
  const response = await app.request('/api/docs-json');
  expect(response.status).toBe(200);
  document = (await response.json()) as OpenApiDocument;
});

afterAll(async () => {
  await app.close();
});

it('documents every route the server serves, and nothing else', () => {
  const served = servedRoutes(app.server.app).map((route) => `${route.method} ${route.path}`).sort();
  const documented = operations()
    .map(({ path, method }) => `${method} ${path}`)
    .sort();
  expect(served).toContain('get /api/v1/health/ready');
  expect(documented).toEqual(served);
});

it('is derived from the validators and the guards without a gap, and is the document served', () => {
  const built = buildOpenApiDocument(app.server.app);
  expect(built.gaps).toEqual([]);
  expect(JSON.parse(JSON.stringify(built.document))).toEqual(document);
});

it('leaves the tests’ probe routes out', async () => {
  const probed = await startTestApp({ additionalModules: [ProbeModule] });
  try {
    const paths = Object.keys(((await (await probed.request('/api/docs-json')).json()) as OpenApiDocument).paths);
    expect(paths.filter((path) => path.includes('probe'))).toEqual([]);
    expect(paths.sort()).toEqual(Object.keys(document.paths).sort());
  } finally {
    await probed.close();
  }
});

/** Every schema object of the document, with where it is. */
function everySchema(): { where: string; schema: Schema }[] {
  const found: { where: string; schema: Schema }[] = [];
  const walk = (where: string, schema: Schema | undefined): void => {
    if (schema === undefined) return;
    found.push({ where, schema });
    for (const [name, property] of Object.entries(schema.properties ?? {})) walk(`${where}.${name}`, property);
    walk(`${where}[]`, schema.items);
  };
  for (const [name, schema] of Object.entries(document.components.schemas)) walk(name, schema);
  for (const { path, method, operation } of operations()) {
    for (const parameter of operation.parameters ?? []) walk(`${method} ${path} ${parameter.in}:${parameter.name}`, parameter.schema);
  }
  return found;
}

it('bounds every string, array and integer', () => {
  const unbounded = everySchema().flatMap(({ where, schema }) => {
    if (schema.type === 'string' && schema.maxLength === undefined && schema.enum === undefined) return [`${where}: string without maxLength`];
    if (schema.type === 'array' && schema.maxItems === undefined) return [`${where}: array without maxItems`];
    if (schema.type === 'integer' && (schema.minimum === undefined || schema.maximum === undefined || schema.format === undefined)) {
      return [`${where}: integer without range or format`];
    }
    if (schema.type === 'number') return [`${where}: a number; the API has only integers`];
    return [];
  });
  expect(unbounded).toEqual([]);
});

it('closes every schema but the problem body, whose extensions vary', () => {
  const open = Object.entries(document.components.schemas)
    .filter(([, schema]) => schema.type === 'object' && schema.additionalProperties !== false)
    .map(([name]) => name);
  expect(open).toEqual(['ProblemDetailsDto']);
});

it('says who may call each operation, and documents its problems and rate-limit headers', () => {
  expect(Object.keys(document.components.securitySchemes).sort()).toEqual([ADMINISTRATOR_SCHEME, MEMBER_SCHEME].sort());
  const byAccess = new Map(servedRoutes(app.server.app).map((route) => [`${route.controller}_${route.handler}`, route.access]));
  for (const { path, method, operation } of operations()) {
    const access = byAccess.get(operation.operationId);
    const statuses = Object.keys(operation.responses);
    const where = { path, method };
    if (access === 'public') {
      expect({ ...where, security: operation.security }).toEqual({ ...where, security: [] });
    } else {
      const scheme = path.startsWith('/api/v1/admin/') ? ADMINISTRATOR_SCHEME : MEMBER_SCHEME;
      expect({ ...where, security: operation.security }).toEqual({ ...where, security: [{ [scheme]: [] }] });
      expect({ ...where, has401: statuses.includes('401') }).toEqual({ ...where, has401: true });
    }
    expect({ ...where, statuses: statuses.filter((status) => ['400', '429', '500'].includes(status)) }).toEqual({ ...where, statuses: ['400', '429', '500'] });
    expect({ ...where, retryAfter: operation.responses['429'].headers?.['Retry-After']?.required }).toEqual({ ...where, retryAfter: true });
    for (const [status, response] of Object.entries(operation.responses)) {
      if (Number(status) >= 400) {
        expect({ ...where, status, schema: response.content?.['application/problem+json']?.schema?.$ref }).toEqual({
          ...where,
          status,
          schema: '#/components/schemas/ProblemDetailsDto',
        });
      }
      if (status.startsWith('2')) {
        expect({ ...where, status, limit: response.headers?.['X-RateLimit-Limit']?.required }).toEqual({ ...where, status, limit: true });
      }
    }
  }
});

/** A schema of the document, by component name and property. */
const property = (schema: string, name: string): Schema => document.components.schemas[schema].properties?.[name] ?? {};

async function post(path: string, body: unknown): Promise<{ status: number; fields: string[] }> {
  const response = await app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const problem = (await response.json()) as { errors?: { field: string }[] };
  return { status: response.status, fields: (problem.errors ?? []).map((error) => error.field) };
}

it('states the limits the server applies: one character over the documented maxLength is refused, naming the field', async () => {
  const email = property('PreloginRequest', 'email');
  expect(email).toMatchObject({ format: 'email', maxLength: 254 });
  // 64 + 1 + (63 + 1 + 63 + 1 + n + 4) characters.
  const address = (length: number): string => `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(length - 197)}.org`;
  expect(address(254)).toHaveLength(254);
  expect(await post('/api/v1/auth/prelogin', { email: address(254) })).toEqual({ status: 200, fields: [] });
  expect(await post('/api/v1/auth/prelogin', { email: address(255) })).toEqual({ status: 400, fields: ['email'] });

  const name = property('CreateEmbassyRequest', 'name');
  expect(name.maxLength).toBe(200);
  const ticket = property('CompleteRecoveryRequest', 'recoveryTicket');
  expect(ticket.pattern).toBeDefined();
  const refused = await post('/api/v1/auth/recovery/complete', { recoveryTicket: 'not a token' });
  expect(refused.status).toBe(400);
  expect(refused.fields).toContain('recoveryTicket');
});

it('keeps a validation problem within its declared bounds, however many fields break', async () => {
  const errors = property('ProblemDetailsDto', 'errors');
  expect(errors.maxItems).toBe(MAX_FIELD_ERRORS);
  expect(property('FieldErrorDto', 'field').maxLength).toBe(MAX_FIELD_PATH_LENGTH);
  const unknown = Object.fromEntries(Array.from({ length: MAX_FIELD_ERRORS * 2 }, (_, i) => [`${'x'.repeat(MAX_FIELD_PATH_LENGTH * 2)}${i}`, 1]));
  const response = await app.request('/api/v1/auth/prelogin', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'someone@example.org', ...unknown }),
  });
  expect(response.status).toBe(400);
  const problem = (await response.json()) as { detail: string; errors: { field: string; messages: string[] }[] };
  expect(problem.errors).toHaveLength(MAX_FIELD_ERRORS);
  expect(problem.errors.every((error) => Array.from(error.field).length <= MAX_FIELD_PATH_LENGTH)).toBe(true);
  expect(problem.detail).toMatch(new RegExp(`and ${MAX_FIELD_ERRORS} more$`));
});
