/**
 * Once per e2e run: find a PostgreSQL (TEST_DATABASE_URL, or an embedded one started
 * for the run), migrate one template database, and tell the test files where it is.
 * Each test file then clones the template (CREATE DATABASE … TEMPLATE …, tens of ms),
 * so files are isolated and run in parallel.
 */
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { APP_ENTITIES } from '../../src/app-entities';
import { EmbeddedPostgres } from '../../src/common/database/embedded-postgres';
import { typeOrmOptions } from '../../src/common/database/typeorm-options';
import { CAST_ENV, enrolCast } from '../support/cast';
import { OPENAPI_DOCUMENT_ENV, writeOpenApiDocument } from '../support/response-schema';
import { databaseUrl, TEST_ENV } from '../support/test-database';

interface TestRun {
  embedded?: EmbeddedPostgres;
  tempDir?: string;
}

export const TEST_RUN_KEY = '__egideTestRun';

export default async function globalSetup(): Promise<void> {
  const run: TestRun = {};
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (adminUrl === undefined || adminUrl === '') {
    run.tempDir = mkdtempSync(join(tmpdir(), 'egide-test-pg-'));
    chmodSync(run.tempDir, 0o711);
    const quiet = (): undefined => undefined;
    run.embedded = await EmbeddedPostgres.start({
      dataDir: join(run.tempDir, 'pg'),
      secretsDir: run.tempDir,
      log: { info: quiet, warn: quiet, debug: quiet },
    });
    adminUrl = run.embedded.urlFor('postgres');
  }
  const template = `egide_tpl_${randomBytes(5).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(template)}`);
  } finally {
    await admin.end();
  }
  const dataSource = new DataSource(typeOrmOptions(databaseUrl(adminUrl, template), APP_ENTITIES, 2));
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await dataSource.destroy();
  }
  // Enrolled once here, present in every clone (Argon2id makes enrolment slow by design).
  process.env[CAST_ENV] = JSON.stringify(await enrolCast(databaseUrl(adminUrl, template)));
  // The document every e2e response is checked against (test/support/response-schema.ts).
  process.env[OPENAPI_DOCUMENT_ENV] = await writeOpenApiDocument(databaseUrl(adminUrl, template));
  // The requests above counted towards 127.0.0.1's rate limits, which live in the
  // database: every clone starts with fresh budgets, as a fresh server would.
  const templateDb = new Client({ connectionString: databaseUrl(adminUrl, template) });
  await templateDb.connect();
  try {
    await templateDb.query('DELETE FROM rate_limit_windows');
  } finally {
    await templateDb.end();
  }
  process.env[TEST_ENV.adminUrl] = adminUrl;
  process.env[TEST_ENV.template] = template;
  (globalThis as Record<string, unknown>)[TEST_RUN_KEY] = run;
}
