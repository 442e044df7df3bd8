/**
 * The client-made key material of an enrolment (and of setup): shapes and bounds checked by
 * class-validator (naming each field), exact byte lengths, the KDF floor and the
 * fingerprint by the protocol's own validators (src/crypto/key-bundles.ts) in the service.
 */
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
import { NestedObject } from '../../common/http/nested-validation';
import { AUTH_KEY_LENGTH, AUTH_KEY_PATTERN, FINGERPRINT_LENGTH, FINGERPRINT_PATTERN } from './credential-fields';
import { EncryptedKeyBundleDto } from './encrypted-key-bundle.dto';
import { KdfParametersDto } from './kdf-parameters.dto';
import { UserPublicKeysDto } from './user-public-keys.dto';

export class EnrolmentKeyMaterialDto {
  @ApiProperty({ type: UserPublicKeysDto })
  @NestedObject(() => UserPublicKeysDto)
  publicKeys!: UserPublicKeysDto;

  @ApiProperty({ example: '12345 67890 12345 67890 12345 67890 12345 67890' })
  @IsString()
  @Length(FINGERPRINT_LENGTH, FINGERPRINT_LENGTH)
  @Matches(FINGERPRINT_PATTERN)
  fingerprint!: string;

  @ApiProperty({ type: KdfParametersDto })
  @NestedObject(() => KdfParametersDto)
  kdf!: KdfParametersDto;

  @ApiProperty({ type: EncryptedKeyBundleDto })
  @NestedObject(() => EncryptedKeyBundleDto)
  passwordBundle!: EncryptedKeyBundleDto;

  @ApiProperty({ type: EncryptedKeyBundleDto })
  @NestedObject(() => EncryptedKeyBundleDto)
  recoveryBundle!: EncryptedKeyBundleDto;

  @ApiProperty({ description: '32 bytes, base64url; the server keeps only an Argon2id hash' })
  @Length(AUTH_KEY_LENGTH, AUTH_KEY_LENGTH)
  @Matches(AUTH_KEY_PATTERN)
  authKey!: string;

  @ApiProperty({ description: '32 bytes, base64url; the server keeps only an Argon2id hash' })
  @Length(AUTH_KEY_LENGTH, AUTH_KEY_LENGTH)
  @Matches(AUTH_KEY_PATTERN)
  recoveryAuthKey!: string;
}
