/** `POST /keys/team`: generation 1 of the caller's scope, with its creator's own grant. */
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';
import { NestedObject } from '../../common/http/nested-validation';
import { TeamKeyGrantDto } from './key-material.dto';
import { CANONICAL_BASE64URL as BASE64URL } from '../../crypto/binary-encoding';

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
