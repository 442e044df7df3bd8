/**
 * Request bodies and queries of the key routes. Every array has a maximum size and
 * every string a maximum length; what a field must be byte for byte is checked by the
 * protocol validators in the service.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { BASE64URL, HistoryLinkDto, SignedDataKeyWrapDto, TeamKeyGrantDto } from './key-material.dto';
import { NestedObject, NestedObjects } from '../../common/http/nested-validation';

/** One grant per member; a scope is a team of people, not a crowd. */
export const MAX_ROTATION_GRANTS = 500;
/**
 * Bounded by the 1 MiB JSON body limit (≈ 250 bytes per sealed data key, grants
 * included). A scope with more data keys needs a staged rotation, which does not exist yet.
 */
export const MAX_ROTATION_DATA_KEYS = 3000;
export const MAX_DATA_KEYS_PAGE = 500;
/**
 * The members a team listing answers at most, oldest first (pending members, holders):
 * a rotation re-grants at most MAX_ROTATION_GRANTS holders in one request, so a longer
 * list could not be acted on at once either. Pending members are a queue: grant these,
 * ask again.
 */
export const MAX_TEAM_MEMBERS_LISTED = MAX_ROTATION_GRANTS;
/** Re-signing goes page by page, like the data-key pages a client reads the wraps from. */
export const MAX_WRAP_SIGNATURES = 500;

export class CreateTeamRequest {
  @ApiProperty({ description: 'T_1, X25519, 32 bytes, base64url; must equal grant.teamBoxPublicKey' })
  @IsString()
  @MaxLength(64)
  @Matches(BASE64URL)
  teamBoxPublicKey!: string;

  @ApiProperty({ type: TeamKeyGrantDto, description: "Generation 1's seed sealed to the creator and signed by them" })
  @NestedObject(() => TeamKeyGrantDto)
  grant!: TeamKeyGrantDto;
}

export class RotateTeamRequest {
  @ApiProperty({ description: 'The new generation: the current one + 1', minimum: 2 })
  @IsInt()
  @Min(2)
  @Max(0xffff_ffff)
  generation!: number;

  @ApiProperty({ description: 'T_{g+1}, X25519, 32 bytes, base64url' })
  @IsString()
  @MaxLength(64)
  @Matches(BASE64URL)
  teamBoxPublicKey!: string;

  @ApiProperty({ type: HistoryLinkDto, description: 'Seed g under a key derived from seed g+1' })
  @NestedObject(() => HistoryLinkDto)
  historyLink!: HistoryLinkDto;

  @ApiProperty({ type: [TeamKeyGrantDto], description: 'Seed g+1 for every member holding generation g' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ROTATION_GRANTS)
  @NestedObjects(() => TeamKeyGrantDto)
  grants!: TeamKeyGrantDto[];

  @ApiProperty({
    type: [SignedDataKeyWrapDto],
    description: 'Every data key of the scope, sealed to T_{g+1} and signed by the caller for the record its stored wrap names',
  })
  @IsArray()
  @ArrayMaxSize(MAX_ROTATION_DATA_KEYS)
  @NestedObjects(() => SignedDataKeyWrapDto)
  resealedDataKeys!: SignedDataKeyWrapDto[];
}

/** The caller's signature over one stored wrap, as it is stored (writer = the caller). */
export class WrapSignatureDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  keyId!: string;

  @ApiProperty({ description: 'Ed25519 by the caller over the wrap message of the stored row, 64 bytes, base64url' })
  @IsString()
  @MaxLength(128)
  @Matches(BASE64URL)
  signature!: string;
}

export class ResignWrapsRequest {
  @ApiProperty({ type: [WrapSignatureDto], maxItems: MAX_WRAP_SIGNATURES, description: "Unsigned wraps of my scope's current generation, each once" })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_WRAP_SIGNATURES)
  @NestedObjects(() => WrapSignatureDto)
  signatures!: WrapSignatureDto[];
}

export class DataKeysPageQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'The last keyId of the previous page' })
  @IsOptional()
  @IsUUID()
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_DATA_KEYS_PAGE, default: MAX_DATA_KEYS_PAGE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_DATA_KEYS_PAGE)
  limit?: number;
}

export class UserIdParam {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  userId!: string;
}

export class ScopeIdParam {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  scopeId!: string;
}
