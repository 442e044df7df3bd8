/**
 * What the health routes answer: liveness says only "ok"; readiness is terminus's result
 * with the one indicator there is (the database and its migrations), nothing more.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { integerField } from '../../common/openapi/api-fields';

/** Far more migrations than the project will ever have: the count is a small integer. */
const MIGRATION_COUNT_FIELD = integerField(0, 100_000);

export class LivenessResponse {
  @ApiProperty({ enum: ['ok'] })
  status!: 'ok';
}

export class DatabaseHealth {
  @ApiProperty({ enum: ['up', 'down'] })
  status!: 'up' | 'down';

  @ApiPropertyOptional({ ...MIGRATION_COUNT_FIELD, description: 'Migrations of this build recorded as applied' })
  migrations?: number;

  @ApiPropertyOptional({ ...MIGRATION_COUNT_FIELD, description: 'When down: how many this build expects' })
  expected?: number;

  @ApiPropertyOptional({ enum: ['database unreachable'] })
  message?: 'database unreachable';
}

export class HealthIndicators {
  @ApiPropertyOptional({ type: DatabaseHealth })
  database?: DatabaseHealth;
}

export class ReadinessResponse {
  @ApiProperty({ enum: ['ok'] })
  status!: 'ok';

  @ApiProperty({ type: HealthIndicators, description: 'The indicators that are up' })
  info!: HealthIndicators;

  @ApiProperty({ type: HealthIndicators, description: 'The indicators that are down (none when ready)' })
  error!: HealthIndicators;

  @ApiProperty({ type: HealthIndicators, description: 'Every indicator' })
  details!: HealthIndicators;
}
