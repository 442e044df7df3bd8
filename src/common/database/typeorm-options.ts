/**
 * The TypeORM settings, shared by the application, the migration commands and the tests.
 * Never `synchronize`: the schema changes only through reviewed migrations. The entities
 * are a parameter: the list names every feature (src/app-entities.ts), and common/
 * imports no feature.
 */
import type { DataSourceOptions, EntitySchema } from 'typeorm';
import { MIGRATIONS } from '../../../migrations';

export const MIGRATIONS_TABLE = 'migrations';

/** Entity classes (or schemas), as TypeORM takes them. */
export type EntityList = readonly ((new () => object) | EntitySchema)[];

export function typeOrmOptions(url: string, entities: EntityList, poolSize = 10): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: [...entities],
    // Imported classes, not a glob: a glob built from __dirname finds nothing under jest.
    migrations: MIGRATIONS,
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsTransactionMode: 'each',
    synchronize: false,
    uuidExtension: 'pgcrypto',
    logging: false,
    extra: { max: poolSize, application_name: 'egide' },
  };
}
