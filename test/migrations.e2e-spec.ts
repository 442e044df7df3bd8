/**
 * The migrations describe the entities exactly (CI's drift check rests on the same
 * comparison), a drift is detected, and every migration reverts and re-applies.
 */
import { Column, DataSource, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { ENTITIES } from '../src/common/database/entities';
import { schemaDiff } from '../src/common/database/schema-drift';
import { typeOrmOptions } from '../src/common/database/typeorm-options';
import { MIGRATIONS } from '../migrations';
import { cloneTestDatabase, querySql, type TestDatabase } from './support/test-database';

@Entity({ name: 'drift_probe' })
class DriftProbe {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  label!: string;
}

type EntityClass = new () => object;

let database: TestDatabase;

beforeAll(async () => {
  database = await cloneTestDatabase();
});

afterAll(async () => {
  await database.drop();
});

async function withDataSource<T>(entities: EntityClass[], work: (ds: DataSource) => Promise<T>): Promise<T> {
  const dataSource = new DataSource({ ...typeOrmOptions(database.url, 2), entities });
  await dataSource.initialize();
  try {
    return await work(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

it('finds no drift between entities and migrations', async () => {
  await expect(withDataSource(ENTITIES, schemaDiff)).resolves.toEqual({ up: [], down: [] });
});

it('detects an entity without a migration', async () => {
  const diff = await withDataSource([...ENTITIES, DriftProbe], schemaDiff);
  expect(diff.up.join('\n')).toContain('CREATE TABLE "drift_probe"');
});

it('reverts every migration and applies them again', async () => {
  await withDataSource(ENTITIES, async (dataSource) => {
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
