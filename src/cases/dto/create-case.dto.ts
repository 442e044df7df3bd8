/**
 * The body of POST /cases: the clear fields, the sealed revision 1, the data key sealed
 * to the embassy's current team key and signed by the caller for this case, and the blind indexes. The case id is the client's:
 * it was bound into every envelope before the request left the client.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsUUID,
  Length,
  Matches,
} from 'class-validator';
import { SignedDataKeyWrapDto } from '../../sealed-records/dto/sealed-data-key.dto';
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
import { NestedObject, NestedObjects } from '../../common/http/nested-validation';
import { IsCalendarDate } from '../../common/http/calendar-date';

export const COUNTRY_CODE = /^[A-Z]{2}$/;

export class CreateCaseRequest {
  @ApiProperty({ format: 'uuid', description: 'Chosen by the client; bound into every envelope' })
  @IsUUID()
  id!: string;

  @ApiProperty({ enum: RISK_LEVELS })
  @IsIn(RISK_LEVELS)
  riskLevel!: RiskLevel;

  @ApiProperty({ enum: THREAT_TYPES, isArray: true })
  @IsArray()
  @ArrayMaxSize(MAX_THREAT_TYPES)
  @ArrayUnique()
  @IsIn(THREAT_TYPES, { each: true })
  threatTypes!: ThreatType[];

  @ApiProperty({ enum: DEFENDER_GROUPS, isArray: true })
  @IsArray()
  @ArrayMaxSize(MAX_DEFENDER_GROUPS)
  @ArrayUnique()
  @IsIn(DEFENDER_GROUPS, { each: true })
  defenderGroups!: DefenderGroup[];

  @ApiProperty({ example: 'KE', description: 'ISO 3166-1 alpha-2, upper case' })
  @Length(2, 2)
  @Matches(COUNTRY_CODE)
  countryOfActivity!: string;

  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String })
  @IsOptional()
  @IsCalendarDate()
  nextReviewAt?: string | null;

  @ApiProperty({ description: 'The defender agreed to referral or transfer to another embassy' })
  @IsBoolean()
  consentToTransfer!: boolean;

  @ApiProperty({ description: 'The defender agreed to a placement brief being shared with the refuge network' })
  @IsBoolean()
  consentToRefugeSharing!: boolean;

  @ApiProperty({ type: SignedRevisionDto, description: 'Revision 1 of entity `case`, every envelope under `wrap.keyId`' })
  @NestedObject(() => SignedRevisionDto)
  revision!: SignedRevisionDto;

  @ApiProperty({
    type: SignedDataKeyWrapDto,
    description: "The case's data key sealed to the embassy's current team key, signed by the caller for entity `case` and this id",
  })
  @NestedObject(() => SignedDataKeyWrapDto)
  wrap!: SignedDataKeyWrapDto;

  @ApiProperty({ type: [CaseBlindIndexDto], maxItems: MAX_BLIND_INDEXES })
  @IsArray()
  @ArrayMinSize(0)
  @ArrayMaxSize(MAX_BLIND_INDEXES)
  @NestedObjects(() => CaseBlindIndexDto)
  blindIndexes!: CaseBlindIndexDto[];
}
