/** Response bodies of the authentication routes, built by explicit mappers (auth.mappers.ts). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ROLES, SCOPE_TYPES, type Role, type ScopeType } from '../../common/authz/roles';
import { EncryptedKeyBundleDto, KdfParametersDto, UserPublicKeysDto } from './key-material.dto';

export class ScopeDto {
  @ApiProperty({ enum: SCOPE_TYPES })
  type!: ScopeType;

  @ApiPropertyOptional({ nullable: true, format: 'uuid', type: String })
  id!: string | null;
}

export class UserSummaryDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  email!: string;

  @ApiProperty({ type: String, nullable: true, description: 'Set by the administrator on the invitation (docs/identity.md)' })
  displayName!: string | null;

  @ApiProperty({ enum: ROLES })
  role!: Role;

  @ApiProperty({ type: ScopeDto })
  scope!: ScopeDto;

  @ApiProperty({ description: 'Fingerprint of the public keys, to compare out of band' })
  fingerprint!: string;
}

export class TotpEnrolmentDto {
  @ApiProperty({ description: 'Base32 shared secret, shown once' })
  secret!: string;

  @ApiProperty({ description: 'otpauth:// URI for authenticator apps, shown once' })
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
  @ApiProperty()
  accessToken!: string;

  @ApiProperty({ enum: ['Bearer'] })
  tokenType!: 'Bearer';

  @ApiProperty({ description: 'Seconds until the access token expires' })
  expiresIn!: number;

  @ApiProperty({ description: 'Opaque, single-use; rotate it with /auth/refresh' })
  refreshToken!: string;
}

export class KeyBundleDto {
  @ApiProperty({ type: KdfParametersDto })
  kdf!: KdfParametersDto;

  @ApiProperty({ type: EncryptedKeyBundleDto })
  passwordBundle!: EncryptedKeyBundleDto;

  @ApiProperty({ type: UserPublicKeysDto })
  publicKeys!: UserPublicKeysDto;

  @ApiProperty()
  fingerprint!: string;
}

export class LoginResponse extends SessionTokensResponse {
  @ApiProperty({ type: UserSummaryDto })
  user!: UserSummaryDto;

  @ApiProperty({ type: KeyBundleDto })
  keyBundle!: KeyBundleDto;
}

export class AccessTokenResponse {
  @ApiProperty()
  accessToken!: string;

  @ApiProperty({ enum: ['Bearer'] })
  tokenType!: 'Bearer';

  @ApiProperty()
  expiresIn!: number;
}

export class BeginRecoveryResponse {
  @ApiProperty({ description: 'Short-lived; only /auth/recovery/complete accepts it' })
  recoveryTicket!: string;

  @ApiProperty({ type: EncryptedKeyBundleDto, description: 'The seed under the recovery key' })
  recoveryBundle!: EncryptedKeyBundleDto;

  @ApiProperty({ type: KdfParametersDto, description: 'The current parameters (unchanged by recovery until completed)' })
  kdf!: KdfParametersDto;

  @ApiProperty()
  expiresIn!: number;
}
