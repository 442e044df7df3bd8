/**
 * `POST /keys/team/rotations`: starts a rotation of the caller's scope to generation g+1
 * (docs/protocol.md §5.16) — the new generation with its history link and a grant for
 * every member holding g. It may carry a first chunk of re-sealed data keys (a client
 * written before chunked rotations sends them all here: when none is left missing, the
 * rotation completes at once, as it used to).
 */
import { MAX_TEAM_GENERATION } from '../../crypto/protocol-constants';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { NestedObject, NestedObjects } from '../../common/http/nested-validation';
import { HistoryLinkDto, TeamKeyGrantDto } from './key-material.dto';
import { SignedDataKeyWrapDto } from '../../sealed-records/dto/sealed-data-key.dto';
import { CANONICAL_BASE64URL as BASE64URL } from '../../crypto/binary-encoding';
import { MAX_ROTATION_GRANTS, MAX_ROTATION_START_DATA_KEYS } from './key-limits';

export class StartRotationRequest {
  @ApiProperty({ description: 'The new generation: the current one + 1', minimum: 2, maximum: MAX_TEAM_GENERATION })
  @IsInt()
  @Min(2)
  @Max(MAX_TEAM_GENERATION)
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

  @ApiPropertyOptional({
    type: [SignedDataKeyWrapDto],
    maxItems: MAX_ROTATION_START_DATA_KEYS,
    description:
      'Optional first chunk: data keys of the scope re-sealed to T_{g+1}, signed by the caller for the record their stored wrap names. ' +
      'When no data key is left without a wrap of g+1, the rotation completes in this request.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_ROTATION_START_DATA_KEYS)
  @NestedObjects(() => SignedDataKeyWrapDto)
  resealedDataKeys?: SignedDataKeyWrapDto[];
}
