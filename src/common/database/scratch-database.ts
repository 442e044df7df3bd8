/**
 * A throw-away, freshly migrated database: on the server named by DATABASE_URL when
 * there is one, else on a temporary embedded cluster. Used to compare entities (the
 * caller's list: src/app-entities.ts) with migrations without touching anyone's data.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { EmbeddedPostgres, type EmbeddedPostgresLog } from './embedded-postgres';
import { typeOrmOptions, type EntityList } from './typeorm-options';

export async function withScratchDatabase<T>(
  serverUrl: string | undefined,
  entities: EntityList,
  log: EmbeddedPostgresLog,
  work: (dataSource: DataSource) => Promise<T>,
): Promise<T> {
  const name = `egide_scratch_${randomBytes(6).toString('hex')}`;
  let embedded: EmbeddedPostgres | undefined;
  let tempDir: string | undefined;
  let adminUrl: string;
  if (serverUrl !== undefined) {
    adminUrl = serverUrl;
  } else {
    tempDir = mkdtempSync(join(tmpdir(), 'egide-scratch-'));
    // mkdtemp makes 0700; as root the postgres OS user must traverse it.
    chmodSync(tempDir, 0o711);
    embedded = await EmbeddedPostgres.start({ dataDir: join(tempDir, 'pg'), secretsDir: tempDir, log });
    adminUrl = embedded.urlFor('postgres');
  }
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const dataSource = new DataSource(typeOrmOptions(url.toString(), entities, 2));
    await dataSource.initialize();
    try {
      await dataSource.runMigrations({ transaction: 'each' });
      return await work(dataSource);
    } finally {
      await dataSource.destroy();
      await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)}`);
    }
  } finally {
    await admin.end();
    await embedded?.stop();
    if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true });
  }
}
