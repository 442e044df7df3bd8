/** The query of GET /cases: a page, plus optional filters (combined with AND) on clear fields. */
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID, Length, Matches } from 'class-validator';
import { PageQuery } from '../../common/http/page-query.dto';
import { CASE_STATUSES, type CaseStatus } from '../../contract/case-vocabulary';
import { DEFENDER_GROUPS, RISK_LEVELS, THREAT_TYPES, type DefenderGroup, type RiskLevel, type ThreatType } from '../../contract/case-vocabulary';
import { COUNTRY_CODE } from './create-case.dto';
import { IsCalendarDate } from '../../common/http/calendar-date';

export class ListCasesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: CASE_STATUSES })
  @IsOptional()
  @IsIn(CASE_STATUSES)
  status?: CaseStatus;

  @ApiPropertyOptional({ enum: RISK_LEVELS })
  @IsOptional()
  @IsIn(RISK_LEVELS)
  riskLevel?: RiskLevel;

  @ApiPropertyOptional({ enum: THREAT_TYPES, description: 'Cases with this threat type among theirs' })
  @IsOptional()
  @IsIn(THREAT_TYPES)
  threatType?: ThreatType;

  @ApiPropertyOptional({ enum: DEFENDER_GROUPS, description: 'Cases with this defender group among theirs' })
  @IsOptional()
  @IsIn(DEFENDER_GROUPS)
  defenderGroup?: DefenderGroup;

  @ApiPropertyOptional({ example: 'KE', description: 'Country of activity' })
  @IsOptional()
  @Length(2, 2)
  @Matches(COUNTRY_CODE)
  country?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Assigned contact' })
  @IsOptional()
  @IsUUID()
  assignee?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Cases whose next review is before this instant' })
  @IsOptional()
  @IsCalendarDate()
  reviewDueBefore?: string;
}

/** GET /cases/:id/events: a page of the timeline, oldest first. */
