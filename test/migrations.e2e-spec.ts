/**
 * The migrations describe the entities exactly (CI's drift check rests on the same
 * comparison), a drift is detected, every migration reverts and re-applies, and every
 * constraint and index carries a PostgreSQL-style name that its entity declares — never a
 * TypeORM hash (`PK_264a…`), which the drift check alone would not notice on a primary key.
 */
import { Column, DataSource, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { APP_ENTITIES } from '../src/app-entities';
import { schemaDiff } from '../src/common/database/schema-drift';
import { typeOrmOptions, type EntityList } from '../src/common/database/typeorm-options';
import { MIGRATIONS } from '../migrations';
import { cloneTestDatabase, querySql, type TestDatabase } from './support/test-database';

@Entity({ name: 'drift_probe' })
class DriftProbe {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  label!: string;
}

let database: TestDatabase;

beforeAll(async () => {
  database = await cloneTestDatabase();
});

afterAll(async () => {
  await database.drop();
});

async function withDataSource<T>(entities: EntityList, work: (ds: DataSource) => Promise<T>): Promise<T> {
  const dataSource = new DataSource(typeOrmOptions(database.url, entities, 2));
  await dataSource.initialize();
  try {
    return await work(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

it('finds no drift between entities and migrations', async () => {
  await expect(withDataSource(APP_ENTITIES, schemaDiff)).resolves.toEqual({ up: [], down: [] });
});

it('names every constraint and index the PostgreSQL way, as the entities declare them', async () => {
  const constraints = await querySql<{ table_name: string; name: string }>(
    database.url,
    `SELECT conrelid::regclass::text AS table_name, conname AS name FROM pg_constraint WHERE connamespace = 'public'::regnamespace`,
  );
  const indexes = await querySql<{ table_name: string; name: string }>(
    database.url,
    `SELECT tablename AS table_name, indexname AS name FROM pg_indexes WHERE schemaname = 'public'`,
  );
  const generated = /^(PK|FK|UQ|IDX|REL|CHK)_[0-9a-f]{20,}$/;
  expect([...constraints, ...indexes].filter((row) => generated.test(row.name))).toEqual([]);

  const present = new Set(constraints.map((row) => `${row.table_name}.${row.name}`));
  await withDataSource(APP_ENTITIES, async (dataSource) => {
    for (const entity of dataSource.entityMetadatas) {
      const declared = [entity.primaryColumns[0]?.primaryKeyConstraintName, ...entity.foreignKeys.map((key) => key.name)];
      for (const name of declared) {
        expect({ table: entity.tableName, name }).toEqual({ table: entity.tableName, name: expect.stringMatching(/^[a-z0-9_]+_(pkey|fkey)$/) as string });
        expect(present.has(`${entity.tableName}.${name}`)).toBe(true);
      }
    }
  });
});

it('detects an entity without a migration', async () => {
  const diff = await withDataSource([...APP_ENTITIES, DriftProbe], schemaDiff);
  expect(diff.up.join('\n')).toContain('CREATE TABLE "drift_probe"');
});

it('reverts every migration and applies them again', async () => {
  await withDataSource(APP_ENTITIES, async (dataSource) => {
    for (let i = 0; i < MIGRATIONS.length; i += 1) await dataSource.undoLastMigration({ transaction: 'each' });
    const tables = await querySql<{ table_name: string }>(
      database.url,
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations'",
    );
    expect(tables).toEqual([]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    expect(applied).toHaveLength(MIGRATIONS.length);
    await expect(schemaDiff(dataSource)).resolves.toEqual({ up: [], down: [] });
  });
});
