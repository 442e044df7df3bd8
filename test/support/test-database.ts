/**
 * A database of one's own for a test file: a clone of the migrated template that the
 * global setup prepared. Dropped when the file is done.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export const TEST_ENV = { adminUrl: 'EGIDE_TEST_ADMIN_URL', template: 'EGIDE_TEST_TEMPLATE' } as const;

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set: run e2e tests through jest's e2e project`);
  return value;
}

export async function cloneTestDatabase(): Promise<TestDatabase> {
  const adminUrl = required(TEST_ENV.adminUrl);
  const template = required(TEST_ENV.template);
  const name = `${template}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)} TEMPLATE ${admin.escapeIdentifier(template)}`);
  } finally {
    await admin.end();
  }
  return {
    url: databaseUrl(adminUrl, name),
    name,
    drop: async () => {
      const client = new Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Runs one SQL statement on a database, for tests that look underneath the API. */
export async function querySql<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}
