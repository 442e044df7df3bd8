/**
 * Differences between the entities and a migrated database, as TypeORM's schema
 * builder sees them. Empty means the migrations describe the entities exactly; the
 * drift check in CI and `migration:generate` both rest on this.
 */
import type { DataSource } from 'typeorm';

export interface SchemaDiff {
  up: string[];
  down: string[];
}

export async function schemaDiff(dataSource: DataSource): Promise<SchemaDiff> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  return {
    up: sql.upQueries.map((query) => query.query),
    down: sql.downQueries.map((query) => query.query),
  };
}
