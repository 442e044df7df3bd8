/** A scope's team public key of one generation; the directory's answer adds a member-signed grant to verify it by. */
import { ApiProperty } from '@nestjs/swagger';
import { SCOPE_TYPES, type ScopeType } from '../../contract/roles';
import { DATE_TIME_FIELD, FINGERPRINT_FIELD, PUBLIC_KEY_FIELD, UUID_FIELD } from '../../common/openapi/api-fields';
import { HeldGrantResponse } from './grant.response';
import { GENERATION_FIELD } from './key-limits';

export class TeamPublicKeyResponse {
  @ApiProperty(UUID_FIELD)
  scopeId!: string;

  @ApiProperty({ enum: SCOPE_TYPES })
  scopeType!: ScopeType;

  @ApiProperty(GENERATION_FIELD)
  generation!: number;

  @ApiProperty({ ...PUBLIC_KEY_FIELD, description: 'T_g, X25519, 32 bytes, base64url' })
  teamBoxPublicKey!: string;

  @ApiProperty({ ...FINGERPRINT_FIELD, description: 'Team fingerprint of (scopeId, generation, T_g), to compare out of band' })
  fingerprint!: string;

  @ApiProperty(DATE_TIME_FIELD)
  createdAt!: string;
}

export class DirectoryTeamKeyResponse extends TeamPublicKeyResponse {
  @ApiProperty({
    type: HeldGrantResponse,
    nullable: true,
    description:
      "A grant of this generation signed by one of the scope's members: accept teamBoxPublicKey only if its signature verifies under a key whose fingerprint you checked",
  })
  signedBy!: HeldGrantResponse | null;
}
