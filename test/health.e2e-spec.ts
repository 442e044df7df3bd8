/** Liveness and readiness, including "not ready" when the schema is behind. */
import { MIGRATIONS } from '../migrations';
import { querySql } from './support/test-database';
import { startTestApp, type TestApp } from './support/test-app';

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});

afterAll(async () => {
  await app.close();
});

it('answers liveness', async () => {
  const response = await app.request('/api/v1/health');
  expect(response.status).toBe(200);
  await expect(response.json()).resolves.toEqual({ status: 'ok' });
});

it('is ready when the database answers and every migration is applied', async () => {
  const response = await app.request('/api/v1/health/ready');
  expect(response.status).toBe(200);
  const body = (await response.json()) as { status: string; details: { database: { status: string; migrations: number } } };
  expect(body.status).toBe('ok');
  expect(body.details.database).toEqual({ status: 'up', migrations: MIGRATIONS.length });
});

it('is not ready (503 problem) while a migration is missing', async () => {
  const [last] = await querySql<{ id: number; timestamp: string; name: string }>(
    app.database.url,
    'DELETE FROM migrations WHERE id = (SELECT max(id) FROM migrations) RETURNING id, timestamp, name',
  );
  try {
    const response = await app.request('/api/v1/health/ready');
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    await expect(response.json()).resolves.toEqual(expect.objectContaining({ type: 'urn:egide:problem:service-unavailable', status: 503 }));
  } finally {
    await querySql(app.database.url, 'INSERT INTO migrations (id, timestamp, name) VALUES ($1, $2, $3)', [last.id, last.timestamp, last.name]);
  }
  expect((await app.request('/api/v1/health/ready')).status).toBe(200);
});
