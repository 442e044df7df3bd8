/** Drops the template (and any clone a crashed file left) and stops the embedded PostgreSQL. */
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { Client } from 'pg';
import type { EmbeddedPostgres } from '../../src/common/database/embedded-postgres';
import { OPENAPI_DOCUMENT_ENV } from '../support/response-schema';
import { TEST_ENV } from '../support/test-database';
import { TEST_RUN_KEY } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const run = (globalThis as Record<string, unknown>)[TEST_RUN_KEY] as { embedded?: EmbeddedPostgres; tempDir?: string } | undefined;
  const adminUrl = process.env[TEST_ENV.adminUrl];
  const template = process.env[TEST_ENV.template];
  if (adminUrl !== undefined && template !== undefined) {
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      const clones = (await admin.query('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${template}%`])) as {
        rows: { datname: string }[];
      };
      for (const { datname } of clones.rows) {
        await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(datname)} WITH (FORCE)`);
      }
    } finally {
      await admin.end();
    }
  }
  const openApiDocument = process.env[OPENAPI_DOCUMENT_ENV];
  if (openApiDocument !== undefined) rmSync(dirname(openApiDocument), { recursive: true, force: true });
  await run?.embedded?.stop();
  if (run?.tempDir !== undefined) rmSync(run.tempDir, { recursive: true, force: true });
}
