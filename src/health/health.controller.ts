/**
 * Liveness (the process answers) and readiness (the database answers and the schema is
 * current). Public: a load balancer calls them without credentials, so they say nothing
 * beyond up/down and the number of migrations.
 */
import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { ProblemDetailsDto } from '../common/http/problem';
import { MigrationsHealthIndicator } from './migrations.health';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly migrations: MigrationsHealthIndicator,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Liveness: the process is up' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: database reachable and every migration applied' })
  @ApiServiceUnavailableResponse({ type: ProblemDetailsDto, description: 'Database unreachable or migrations pending' })
  ready(): Promise<HealthCheckResult> {
    return this.health.check([() => this.migrations.check()]);
  }
}
