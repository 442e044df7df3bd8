/**
 * Readiness of the schema: every migration this build knows is recorded as applied.
 * One query, which also proves the database answers, so readiness costs one round trip.
 */
import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { MIGRATIONS_TABLE } from '../common/database/typeorm-options';

@Injectable()
export class MigrationsHealthIndicator {
  private readonly expected: string[];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly indicators: HealthIndicatorService,
  ) {
    this.expected = dataSource.migrations.map((migration) => migration.name ?? migration.constructor.name);
  }

  async check(): Promise<HealthIndicatorResult<'database'>> {
    const indicator = this.indicators.check('database');
    try {
      const rows = (await this.dataSource.query(`SELECT count(*)::int AS applied FROM ${MIGRATIONS_TABLE} WHERE name = ANY($1::text[])`, [
        this.expected,
      ])) as { applied: number }[];
      const applied = rows[0]?.applied ?? 0;
      return applied === this.expected.length
        ? indicator.up({ migrations: applied })
        : indicator.down({ migrations: applied, expected: this.expected.length });
    } catch {
      return indicator.down({ message: 'database unreachable' });
    }
  }
}
