/**
 * The protocol-2 migration on data written under protocol 1: every wrap is bound to the
 * case whose key it wraps (entity 'case', record_id), keeps no writer and no signature
 * (a legacy unsigned wrap), and every stored grant is recorded as version 1.
 */
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { APP_ENTITIES } from '../src/app-entities';
import { typeOrmOptions } from '../src/common/database/typeorm-options';
import { loadCast } from './support/cast';
import { cloneTestDatabase, querySql, type TestDatabase } from './support/test-database';

const MIGRATION = 'SignedWrapsAndGrants1795907000000';

let database: TestDatabase;

beforeAll(async () => {
  database = await cloneTestDatabase();
});

afterAll(async () => {
  await database.drop();
});

it('binds every protocol-1 wrap to its case, unsigned, and records the stored grants as version 1', async () => {
  const cast = loadCast();
  const dataSource = new DataSource(typeOrmOptions(database.url, APP_ENTITIES, 2));
  await dataSource.initialize();
  try {
    const executed = async (): Promise<string[]> =>
      ((await dataSource.query('SELECT name FROM migrations')) as { name: string }[]).map((row) => row.name);
    while ((await executed()).includes(MIGRATION)) await dataSource.undoLastMigration({ transaction: 'each' });

    const author = cast.members.contactA1.userId;
    const caseId = randomUUID();
    const keyId = randomUUID();
    await querySql(
      database.url,
      `INSERT INTO team_key_generations (scope_id, generation, scope_type, team_box_public_key, fingerprint, created_by)
       VALUES ($1, 1, 'EMBASSY', $2, 'fp', $3)`,
      [cast.ids.embassyA, 'A'.repeat(43), author],
    );
    await querySql(
      database.url,
      `INSERT INTO team_key_grants (scope_id, generation, recipient_id, granter_id, recipient_box_public_key, sealed_team_seed, signature)
       VALUES ($1, 1, $2, $2, $3, $4, $5)`,
      [cast.ids.embassyA, author, 'A'.repeat(43), 'A'.repeat(107), 'A'.repeat(86)],
    );
    await querySql(
      database.url,
      `INSERT INTO cases (id, reference, embassy_id, status, risk_level, threat_types, defender_groups, country_of_activity, version,
                          key_id, envelopes, revision, revision_author_id, revision_signature, created_by)
       VALUES ($1, 'KE-2026-0001', $2, 'OPEN', 'HIGH', '{}', '{}', 'KE', 1, $3, '[]'::jsonb, 1, $4, 'signature', $4)`,
      [caseId, cast.ids.embassyA, keyId, author],
    );
    await querySql(database.url, `INSERT INTO data_key_wraps (key_id, scope_id, generation, sealed) VALUES ($1, $2, 1, $3)`, [
      keyId,
      cast.ids.embassyA,
      'A'.repeat(128),
    ]);

    await dataSource.runMigrations({ transaction: 'each' });

    await expect(
      querySql(database.url, `SELECT entity, record_id, writer_id, signature FROM data_key_wraps WHERE key_id = $1`, [keyId]),
    ).resolves.toEqual([{ entity: 'case', record_id: caseId, writer_id: null, signature: null }]);
    await expect(
      querySql(database.url, `SELECT version, recipient_sign_public_key FROM team_key_grants WHERE scope_id = $1`, [cast.ids.embassyA]),
    ).resolves.toEqual([{ version: 1, recipient_sign_public_key: null }]);
    // A signature without its writer (or the reverse) is refused by the schema itself.
    await expect(
      querySql(database.url, `UPDATE data_key_wraps SET signature = 'x' WHERE key_id = $1`, [keyId]),
    ).rejects.toThrow(/data_key_wraps_signed_check/);
  } finally {
    await dataSource.destroy();
  }
});
