/**
 * Team key material as it arrives over HTTP: grants and history links (sealed data keys
 * and their wraps are the sealed-record kit's: sealed-records/dto/sealed-data-key.dto.ts).
 * class-validator checks shapes and bounds (naming each field); exact byte lengths,
 * versions and signatures are then checked by the protocol's own validators
 * (src/crypto) in the service, so that there is one definition of "well-formed".
 *
 * These classes implement the protocol's interfaces, so a client builds them with the
 * SDK's crypto and sends them unchanged; they must never gain a field that a key could
 * be read from.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Equals, IsIn, IsInt, IsString, IsUUID, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import type { HistoryLink } from '../../crypto/key-bundles';
import {
  Algorithm,
  KEY_BUNDLE_VERSION,
  LEGACY_TEAM_GRANT_VERSION,
  MAX_TEAM_GENERATION,
  TEAM_GRANT_VERSIONS,
  type TeamGrantVersion,
} from '../../crypto/protocol-constants';
import { CANONICAL_BASE64URL } from '../../crypto/binary-encoding';
import type { TeamKeyGrant } from '../../crypto/team-grant-payload';

/** Canonical base64url (the decoder's own rule, src/crypto/binary-encoding.ts). */
export const BASE64URL = CANONICAL_BASE64URL;

export class TeamKeyGrantDto implements TeamKeyGrant {
  @ApiProperty({
    enum: TEAM_GRANT_VERSIONS,
    description: 'Send 2 (the server refuses version 1 for a new grant); a stored grant of protocol 1 is returned as 1',
  })
  @IsIn(TEAM_GRANT_VERSIONS)
  version!: TeamGrantVersion;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  scopeId!: string;

  @ApiProperty({ minimum: 1, maximum: MAX_TEAM_GENERATION })
  @IsInt()
  @Min(1)
  @Max(MAX_TEAM_GENERATION)
  generation!: number;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  recipientUserId!: string;

  @ApiProperty({ description: "The recipient's registered X25519 key, 32 bytes, base64url" })
  @IsString()
  @MaxLength(64)
  @Matches(BASE64URL)
  recipientBoxPublicKey!: string;

  @ApiPropertyOptional({
    description: "Version 2 (required): the recipient's registered Ed25519 key, 32 bytes, base64url, which the grant vouches for; absent in version 1",
  })
  @ValidateIf((grant: TeamKeyGrantDto) => grant.version !== LEGACY_TEAM_GRANT_VERSION || grant.recipientSignPublicKey !== undefined)
  @IsString()
  @MaxLength(64)
  @Matches(BASE64URL)
  recipientSignPublicKey?: string;

  @ApiProperty({ format: 'uuid', description: 'The signer; must be the caller' })
  @IsUUID()
  granterUserId!: string;

  @ApiProperty({ description: 'T_g, X25519, 32 bytes, base64url' })
  @IsString()
  @MaxLength(64)
  @Matches(BASE64URL)
  teamBoxPublicKey!: string;

  @ApiProperty({ description: 'crypto_box_seal(team seed) to the recipient, 80 bytes, base64url' })
  @IsString()
  @MaxLength(128)
  @Matches(BASE64URL)
  sealedTeamSeed!: string;

  @ApiProperty({ description: 'Ed25519 by the granter over the grant message, 64 bytes, base64url' })
  @IsString()
  @MaxLength(128)
  @Matches(BASE64URL)
  signature!: string;
}

export class HistoryLinkDto implements HistoryLink {
  @ApiProperty({ enum: [KEY_BUNDLE_VERSION] })
  @Equals(KEY_BUNDLE_VERSION)
  version!: typeof KEY_BUNDLE_VERSION;

  @ApiProperty({ enum: [Algorithm.XChaCha20Poly1305Ietf] })
  @Equals(Algorithm.XChaCha20Poly1305Ietf)
  algorithm!: typeof Algorithm.XChaCha20Poly1305Ietf;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  scopeId!: string;

  @ApiProperty({ minimum: 2, maximum: MAX_TEAM_GENERATION, description: 'The newer generation' })
  @IsInt()
  @Min(2)
  @Max(MAX_TEAM_GENERATION)
  generation!: number;

  @ApiProperty({ minimum: 1, maximum: MAX_TEAM_GENERATION, description: 'generation − 1' })
  @IsInt()
  @Min(1)
  @Max(MAX_TEAM_GENERATION)
  previousGeneration!: number;

  @ApiProperty({ description: '24 bytes, base64url' })
  @IsString()
  @MaxLength(40)
  @Matches(BASE64URL)
  nonce!: string;

  @ApiProperty({ description: 'The previous seed under the history key, 48 bytes, base64url' })
  @IsString()
  @MaxLength(80)
  @Matches(BASE64URL)
  ciphertext!: string;
}
