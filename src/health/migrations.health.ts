/**
 * Readiness of the schema: every migration this build knows is recorded as applied.
 * One query, which also proves the database answers, so readiness costs one round trip.
 * Public (a load balancer calls it): there is no actor, and it reads no feature's data.
 */
import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { Database } from '../common/database/database';
import { HealthRepository } from './health.repository';

@Injectable()
export class MigrationsHealthIndicator {
  private readonly expected: string[];

  constructor(
    private readonly database: Database,
    private readonly health: HealthRepository,
    private readonly indicators: HealthIndicatorService,
  ) {
    this.expected = database.manager.connection.migrations.map((migration) => migration.name ?? migration.constructor.name);
  }

  async check(): Promise<HealthIndicatorResult<'database'>> {
    const indicator = this.indicators.check('database');
    try {
      const applied = await this.health.countApplied(this.database.manager, this.expected);
      return applied === this.expected.length
        ? indicator.up({ migrations: applied })
        : indicator.down({ migrations: applied, expected: this.expected.length });
    } catch {
      return indicator.down({ message: 'database unreachable' });
    }
  }
}
