/** Request bodies of the authentication routes. Secrets arrive as base64url authKeys, never passwords. */
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches, MaxLength } from 'class-validator';
import { IsEmailAddress } from '../../common/http/email-address';
import { JWT_MAX_LENGTH, JWT_PATTERN } from '../../common/openapi/api-fields';
import { AUTH_KEY_LENGTH, AUTH_KEY_PATTERN, EncryptedKeyBundleDto, EnrolmentKeyMaterialDto, KdfParametersDto } from './key-material.dto';
import { NestedObject } from '../../common/http/nested-validation';

const TOTP_CODE = /^\d{6}$/;
/** 32 random bytes, base64url: invitation codes, setup tokens, refresh tokens. */
export const OPAQUE_TOKEN = /^[A-Za-z0-9_-]{43}$/;
export const OPAQUE_TOKEN_LENGTH = 43;

export class EnrolRequest {
  @ApiProperty({ description: 'The one-time invitation code, delivered out of band' })
  @Length(OPAQUE_TOKEN_LENGTH, OPAQUE_TOKEN_LENGTH)
  @Matches(OPAQUE_TOKEN)
  invitationCode!: string;

  @ApiProperty({ example: 'contact@embassy.example' })
  @IsEmailAddress()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ type: EnrolmentKeyMaterialDto })
  @NestedObject(() => EnrolmentKeyMaterialDto)
  keys!: EnrolmentKeyMaterialDto;
}

export class SetupRequest {
  @ApiProperty({ description: 'The one-time setup token printed at first start' })
  @Length(OPAQUE_TOKEN_LENGTH, OPAQUE_TOKEN_LENGTH)
  @Matches(OPAQUE_TOKEN)
  setupToken!: string;

  @ApiProperty({ example: 'admin@egide.example' })
  @IsEmailAddress()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ type: EnrolmentKeyMaterialDto })
  @NestedObject(() => EnrolmentKeyMaterialDto)
  keys!: EnrolmentKeyMaterialDto;
}

export class ConfirmTotpRequest {
  @ApiProperty()
  @IsEmailAddress()
  @MaxLength(254)
  email!: string;

  @ApiProperty()
  @Length(AUTH_KEY_LENGTH, AUTH_KEY_LENGTH)
  @Matches(AUTH_KEY_PATTERN)
  authKey!: string;

  @ApiProperty({ example: '123456' })
  @Length(6, 6)
  @Matches(TOTP_CODE)
  totpCode!: string;
}

export class PreloginRequest {
  @ApiProperty()
  @IsEmailAddress()
  @MaxLength(254)
  email!: string;
}

export class LoginRequest extends ConfirmTotpRequest {}

export class RefreshRequest {
  @ApiProperty()
  @IsString()
  @Length(OPAQUE_TOKEN_LENGTH, OPAQUE_TOKEN_LENGTH)
  @Matches(OPAQUE_TOKEN)
  refreshToken!: string;
}

export class ChangePasswordRequest {
  @ApiProperty({ description: 'authKey derived from the current password' })
  @Length(AUTH_KEY_LENGTH, AUTH_KEY_LENGTH)
  @Matches(AUTH_KEY_PATTERN)
  currentAuthKey!: string;

  @ApiProperty({ description: 'authKey derived from the new password and the new salt' })
  @Length(AUTH_KEY_LENGTH, AUTH_KEY_LENGTH)
  @Matches(AUTH_KEY_PATTERN)
  newAuthKey!: string;

  @ApiProperty({ type: KdfParametersDto })
  @NestedObject(() => KdfParametersDto)
  kdf!: KdfParametersDto;

  @ApiProperty({ type: EncryptedKeyBundleDto, description: 'The same seed, wrapped under the new KEK' })
  @NestedObject(() => EncryptedKeyBundleDto)
  passwordBundle!: EncryptedKeyBundleDto;
}

export class BeginRecoveryRequest {
  @ApiProperty()
  @IsEmailAddress()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ description: 'authKey derived from the recovery key' })
  @Length(AUTH_KEY_LENGTH, AUTH_KEY_LENGTH)
  @Matches(AUTH_KEY_PATTERN)
  recoveryAuthKey!: string;

  @ApiProperty({ example: '123456' })
  @Length(6, 6)
  @Matches(TOTP_CODE)
  totpCode!: string;
}

export class CompleteRecoveryRequest {
  @ApiProperty({ description: 'The ticket returned by /auth/recovery/begin' })
  @IsString()
  @MaxLength(JWT_MAX_LENGTH)
  @Matches(JWT_PATTERN)
  recoveryTicket!: string;

  @ApiProperty()
  @Length(AUTH_KEY_LENGTH, AUTH_KEY_LENGTH)
  @Matches(AUTH_KEY_PATTERN)
  newAuthKey!: string;

  @ApiProperty({ type: KdfParametersDto })
  @NestedObject(() => KdfParametersDto)
  kdf!: KdfParametersDto;

  @ApiProperty({ type: EncryptedKeyBundleDto })
  @NestedObject(() => EncryptedKeyBundleDto)
  passwordBundle!: EncryptedKeyBundleDto;
}
