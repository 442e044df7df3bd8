/** Response bodies of the authentication routes, built by explicit mappers (auth.mappers.ts). */
import { ApiProperty } from '@nestjs/swagger';
import { ROLES, SCOPE_TYPES, type Role, type ScopeType } from '../../common/authz/roles';
import { ACCESS_TOKEN_TTL_SECONDS } from '../access-token';
import { RECOVERY_TICKET_TTL_SECONDS } from '../session-tokens.service';
import { DISPLAY_NAME_ALLOWED, DISPLAY_NAME_MAX_LENGTH } from '../../users/display-name';
import { EMAIL_FIELD, FINGERPRINT_FIELD, integerField, JWT_FIELD, UUID_FIELD } from '../../common/openapi/api-fields';
import { OPAQUE_TOKEN, OPAQUE_TOKEN_LENGTH } from './auth-requests.dto';
import { EncryptedKeyBundleDto, KdfParametersDto, UserPublicKeysDto } from './key-material.dto';

/** The name the administrator gave a member, or null (docs/identity.md). */
export const DISPLAY_NAME_FIELD = {
  type: String,
  nullable: true,
  maxLength: DISPLAY_NAME_MAX_LENGTH,
  pattern: DISPLAY_NAME_ALLOWED.source,
} as const;

export class ScopeDto {
  @ApiProperty({ enum: SCOPE_TYPES })
  type!: ScopeType;

  @ApiProperty({ ...UUID_FIELD, nullable: true, description: "The embassy's or organisation's id, the network's fixed id, or null for the system scope" })
  id!: string | null;
}

export class UserSummaryDto {
  @ApiProperty(UUID_FIELD)
  id!: string;

  @ApiProperty(EMAIL_FIELD)
  email!: string;

  @ApiProperty({ ...DISPLAY_NAME_FIELD, description: 'Set by the administrator on the invitation (docs/identity.md)' })
  displayName!: string | null;

  @ApiProperty({ enum: ROLES })
  role!: Role;

  @ApiProperty({ type: ScopeDto })
  scope!: ScopeDto;

  @ApiProperty({ ...FINGERPRINT_FIELD, description: 'Fingerprint of the public keys, to compare out of band' })
  fingerprint!: string;
}

export class TotpEnrolmentDto {
  @ApiProperty({ description: 'Base32 shared secret (20 bytes), shown once', pattern: '^[A-Z2-7]{32}$', minLength: 32, maxLength: 32 })
  secret!: string;

  @ApiProperty({ description: 'otpauth:// URI for authenticator apps, shown once', pattern: '^otpauth://totp/', maxLength: 2048 })
  otpauthUri!: string;
}

export class EnrolmentResponse {
  @ApiProperty({ type: UserSummaryDto })
  user!: UserSummaryDto;

  @ApiProperty({ type: TotpEnrolmentDto })
  totp!: TotpEnrolmentDto;
}

export class PreloginResponse {
  @ApiProperty({ type: KdfParametersDto })
  kdf!: KdfParametersDto;
}

export class SessionTokensResponse {
  @ApiProperty({ ...JWT_FIELD, description: 'Send as `Authorization: Bearer <accessToken>`' })
  accessToken!: string;

  @ApiProperty({ enum: ['Bearer'] })
  tokenType!: 'Bearer';

  @ApiProperty({ ...integerField(1, ACCESS_TOKEN_TTL_SECONDS), description: 'Seconds until the access token expires' })
  expiresIn!: number;

  @ApiProperty({
    description: 'Opaque, single-use; rotate it with /auth/refresh',
    pattern: OPAQUE_TOKEN.source,
    minLength: OPAQUE_TOKEN_LENGTH,
    maxLength: OPAQUE_TOKEN_LENGTH,
  })
  refreshToken!: string;
}

export class KeyBundleDto {
  @ApiProperty({ type: KdfParametersDto })
  kdf!: KdfParametersDto;

  @ApiProperty({ type: EncryptedKeyBundleDto })
  passwordBundle!: EncryptedKeyBundleDto;

  @ApiProperty({ type: UserPublicKeysDto })
  publicKeys!: UserPublicKeysDto;

  @ApiProperty(FINGERPRINT_FIELD)
  fingerprint!: string;
}

export class LoginResponse extends SessionTokensResponse {
  @ApiProperty({ type: UserSummaryDto })
  user!: UserSummaryDto;

  @ApiProperty({ type: KeyBundleDto })
  keyBundle!: KeyBundleDto;
}

export class AccessTokenResponse {
  @ApiProperty({ ...JWT_FIELD, description: 'Send as `Authorization: Bearer <accessToken>`' })
  accessToken!: string;

  @ApiProperty({ enum: ['Bearer'] })
  tokenType!: 'Bearer';

  @ApiProperty({ ...integerField(1, ACCESS_TOKEN_TTL_SECONDS), description: 'Seconds until the access token expires' })
  expiresIn!: number;
}

export class BeginRecoveryResponse {
  @ApiProperty({ ...JWT_FIELD, description: 'Short-lived; only /auth/recovery/complete accepts it' })
  recoveryTicket!: string;

  @ApiProperty({ type: EncryptedKeyBundleDto, description: 'The seed under the recovery key' })
  recoveryBundle!: EncryptedKeyBundleDto;

  @ApiProperty({ type: KdfParametersDto, description: 'The current parameters (unchanged by recovery until completed)' })
  kdf!: KdfParametersDto;

  @ApiProperty({ ...integerField(1, RECOVERY_TICKET_TTL_SECONDS), description: 'Seconds until the ticket expires' })
  expiresIn!: number;
}
