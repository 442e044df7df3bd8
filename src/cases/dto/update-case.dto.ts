/**
 * The body of PATCH /cases/:id: the `version` the change is based on (a stale one
 * answers 409 with the current one) and any of the clear fields, a new signed revision
 * of the sealed content (revision n+1, every sealed field, the same data key), and a
 * new set of blind indexes (replaces the old set; a receiving embassy sends its own
 * after a transfer). Status and assignment have their own routes.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';
import {
  DEFENDER_GROUPS,
  MAX_BLIND_INDEXES,
  MAX_DEFENDER_GROUPS,
  MAX_THREAT_TYPES,
  RISK_LEVELS,
  THREAT_TYPES,
  type DefenderGroup,
  type RiskLevel,
  type ThreatType,
} from '../../contract/case-vocabulary';
import { SignedRevisionDto } from '../../sealed-records/dto/signed-revision.dto';
import { CaseBlindIndexDto } from './case-blind-index.dto';
import { COUNTRY_CODE } from './create-case.dto';
import { NestedObject, NestedObjects } from '../../common/http/nested-validation';
import { IsCalendarDate } from '../../common/http/calendar-date';

export const MAX_CASE_VERSION = 0x7fff_ffff;

/** Every state-changing request on an existing case names the version it was based on. */
export class VersionedRequest {
  @ApiProperty({ minimum: 1, description: 'The case version this change is based on' })
  @IsInt()
  @Min(1)
  @Max(MAX_CASE_VERSION)
  version!: number;
}

export class UpdateCaseRequest extends VersionedRequest {
  @ApiPropertyOptional({ enum: RISK_LEVELS })
  @IsOptional()
  @IsIn(RISK_LEVELS)
  riskLevel?: RiskLevel;

  @ApiPropertyOptional({ enum: THREAT_TYPES, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_THREAT_TYPES)
  @ArrayUnique()
  @IsIn(THREAT_TYPES, { each: true })
  threatTypes?: ThreatType[];

  @ApiPropertyOptional({ enum: DEFENDER_GROUPS, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_DEFENDER_GROUPS)
  @ArrayUnique()
  @IsIn(DEFENDER_GROUPS, { each: true })
  defenderGroups?: DefenderGroup[];

  @ApiPropertyOptional({ example: 'KE' })
  @IsOptional()
  @Length(2, 2)
  @Matches(COUNTRY_CODE)
  countryOfActivity?: string;

  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String, description: 'null clears it' })
  @ValidateIf((_object, value) => value !== undefined && value !== null)
  @IsCalendarDate()
  nextReviewAt?: string | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  consentToTransfer?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  consentToRefugeSharing?: boolean;

  @ApiPropertyOptional({ type: SignedRevisionDto, description: 'Revision n+1 with every sealed field, under the case key' })
  // May be left out, never null: null is not "no change" here but a malformed revision.
  @ValidateIf((_request: unknown, value: unknown) => value !== undefined)
  @NestedObject(() => SignedRevisionDto)
  revision?: SignedRevisionDto;

  @ApiPropertyOptional({ type: [CaseBlindIndexDto], maxItems: MAX_BLIND_INDEXES, description: 'Replaces every blind index of the case' })
  // May be left out, never null (an empty list removes every index).
  @ValidateIf((_request: unknown, value: unknown) => value !== undefined)
  @IsArray()
  @ArrayMaxSize(MAX_BLIND_INDEXES)
  @NestedObjects(() => CaseBlindIndexDto)
  blindIndexes?: CaseBlindIndexDto[];
}
