/** Grants as the server returns them: one it stored, and one a member holds (with what verifies it). */
import { ApiProperty } from '@nestjs/swagger';
import { DATE_TIME_FIELD, FINGERPRINT_FIELD, PUBLIC_KEY_FIELD, UUID_FIELD } from '../../common/openapi/api-fields';
import { TeamKeyGrantDto } from './key-material.dto';
import { GENERATION_FIELD } from './key-limits';

export class GrantCreatedResponse {
  @ApiProperty(UUID_FIELD)
  scopeId!: string;

  @ApiProperty(GENERATION_FIELD)
  generation!: number;

  @ApiProperty(UUID_FIELD)
  recipientUserId!: string;

  @ApiProperty(UUID_FIELD)
  granterUserId!: string;

  @ApiProperty(DATE_TIME_FIELD)
  createdAt!: string;
}

export class HeldGrantResponse {
  @ApiProperty({ type: TeamKeyGrantDto, description: 'The grant exactly as its granter signed it' })
  grant!: TeamKeyGrantDto;

  @ApiProperty({ ...PUBLIC_KEY_FIELD, description: "The granter's registered Ed25519 key, to verify the grant" })
  granterSignPublicKey!: string;

  @ApiProperty({ ...PUBLIC_KEY_FIELD, description: "The granter's registered X25519 key: with the sign key, what the fingerprint is computed from" })
  granterBoxPublicKey!: string;

  @ApiProperty({ ...FINGERPRINT_FIELD, description: "The granter's fingerprint, to compare with a pinned one" })
  granterFingerprint!: string;

  @ApiProperty(DATE_TIME_FIELD)
  createdAt!: string;
}
