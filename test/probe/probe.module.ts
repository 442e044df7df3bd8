/**
 * Probe routes mounted only in tests, through the same global pipe, filter and hooks
 * as the real routes: a DTO to validate, an unexpected failure, a slow request.
 */
import { Body, Controller, Get, Module, Post, Query } from '@nestjs/common';
import { Type } from 'class-transformer';
import { Public } from '../../src/common/authz/authorize.decorator';
import { ArrayMaxSize, IsIn, IsInt, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';

class ProbeMember {
  @IsString()
  @MaxLength(20)
  name!: string;
}

export class ProbeBody {
  @IsString()
  @MaxLength(50)
  title!: string;

  @IsIn(['LOW', 'HIGH'])
  level!: 'LOW' | 'HIGH';

  @ValidateNested({ each: true })
  @Type(() => ProbeMember)
  @ArrayMaxSize(3)
  members!: ProbeMember[];
}

class SlowQuery {
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(5000)
  ms!: number;
}

/** A canary that must never reach a response body. */
export const PROBE_FAILURE_SECRET = 'SELECT secret_column FROM probe_canary';

@Public()
@Controller('probe')
export class ProbeController {
  @Post('echo')
  echo(@Body() body: ProbeBody): ProbeBody {
    return body;
  }

  @Get('fail')
  fail(): never {
    throw new Error(PROBE_FAILURE_SECRET);
  }

  @Get('slow')
  async slow(@Query() query: SlowQuery): Promise<{ waited: number }> {
    await new Promise((resolve) => setTimeout(resolve, query.ms));
    return { waited: query.ms };
  }
}

@Module({ controllers: [ProbeController] })
export class ProbeModule {}
