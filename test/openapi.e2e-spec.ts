/**
 * The OpenAPI document covers every route the router serves, and every operation
 * documents its problem responses (problem+json with the shared schema).
 */
import { servedRoutes } from './support/nest-routes';
import { startTestApp, type TestApp } from './support/test-app';

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

let app: TestApp;
let document: OpenApiDocument;

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
  const documented = Object.entries(document.paths)
    .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`))
    .sort();
  expect(served).toContain('get /api/v1/health/ready');
  expect(documented).toEqual(served);
});

it('documents problem responses on every operation', () => {
  expect(document.components.schemas).toHaveProperty('ProblemDetailsDto');
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const problems = Object.entries(operation.responses).filter(([status]) => Number(status) >= 400);
      expect({ path, method, problems: problems.length > 0 }).toEqual({ path, method, problems: true });
      for (const [, response] of problems) {
        expect(response.content?.['application/problem+json']?.schema?.$ref).toBe('#/components/schemas/ProblemDetailsDto');
      }
    }
  }
});
