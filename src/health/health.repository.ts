/**
 * The one query of the health probes, as raw SQL: how many of the migrations this build
 * knows are recorded as applied. Public, like the probes: it reads a count from the
 * migrations table and nothing of any feature's data.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { MIGRATIONS_TABLE } from '../common/database/typeorm-options';

export interface AppliedMigrationsRow {
  applied: number;
}

const COUNT_APPLIED = `SELECT count(*)::int AS applied FROM ${MIGRATIONS_TABLE} WHERE name = ANY($1::text[])`;

@Injectable()
export class HealthRepository {
  async countApplied(manager: EntityManager, names: readonly string[]): Promise<number> {
    const rows = (await manager.query(COUNT_APPLIED, [names])) as AppliedMigrationsRow[];
    return rows[0]?.applied ?? 0;
  }
}
