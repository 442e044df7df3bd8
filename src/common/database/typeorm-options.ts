/**
 * The TypeORM settings, shared by the application, the migration commands and the tests.
 * Never `synchronize`: the schema changes only through reviewed migrations.
 */
import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../../migrations';
import { ENTITIES } from './entities';

export const MIGRATIONS_TABLE = 'migrations';

export function typeOrmOptions(url: string, poolSize = 10): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
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
