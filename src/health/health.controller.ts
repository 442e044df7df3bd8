/**
 * Liveness (the process answers) and readiness (the database answers and the schema is
 * current). Public: a load balancer calls them without credentials, so they say nothing
 * beyond up/down and the number of migrations.
 */
import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { Public } from '../common/authz/authorize.decorator';
import { ApiProblems } from '../common/http/api-problems';
import { LivenessResponse, ReadinessResponse } from './dto/health.response';
import { MigrationsHealthIndicator } from './migrations.health';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly migrations: MigrationsHealthIndicator,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Liveness: the process is up' })
  @ApiOkResponse({ type: LivenessResponse })
  @ApiProblems()
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: database reachable and every migration applied' })
  @ApiOkResponse({ type: ReadinessResponse })
  @ApiProblems(503)
  ready(): Promise<HealthCheckResult> {
    return this.health.check([() => this.migrations.check()]);
  }
}
