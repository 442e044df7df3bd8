/**
 * The client-made key material as it arrives over HTTP: shapes and bounds checked by
 * class-validator (naming each field), exact byte lengths by the protocol's own
 * validators (src/crypto/key-bundles.ts) in the service. The KDF floor is enforced here,
 * so a weak parameter set is refused before anything is stored.
 */
import { ApiProperty } from '@nestjs/swagger';
import { Equals, IsIn, IsInt, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import {
  Algorithm,
  KDF_ALGORITHM_ARGON2ID13,
  KDF_MEMLIMIT_CEILING,
  KDF_MEMLIMIT_FLOOR,
  KDF_OPSLIMIT_CEILING,
  KDF_OPSLIMIT_FLOOR,
  KEY_BUNDLE_VERSION,
} from '../../crypto/protocol-constants';
import { CANONICAL_BASE64URL, canonicalBase64UrlOf } from '../../crypto/binary-encoding';
import type { EncryptedKeyBundle, KdfParameters, UserPublicKeys } from '../../crypto/key-bundles';
import { NestedObject } from '../../common/http/nested-validation';

/** Canonical base64url (the decoder's own rule, src/crypto/binary-encoding.ts). */
export const BASE64URL = CANONICAL_BASE64URL;

export class KdfParametersDto implements KdfParameters {
  @ApiProperty({ enum: [KDF_ALGORITHM_ARGON2ID13] })
  @Equals(KDF_ALGORITHM_ARGON2ID13)
  algorithm!: typeof KDF_ALGORITHM_ARGON2ID13;

  @ApiProperty({ description: '16 bytes, base64url' })
  @IsString()
  @MaxLength(32)
  @Matches(BASE64URL)
  salt!: string;

  @ApiProperty({ minimum: KDF_OPSLIMIT_FLOOR, maximum: KDF_OPSLIMIT_CEILING })
  @IsInt()
  @Min(KDF_OPSLIMIT_FLOOR)
  @Max(KDF_OPSLIMIT_CEILING)
  opslimit!: number;

  @ApiProperty({ minimum: KDF_MEMLIMIT_FLOOR, maximum: KDF_MEMLIMIT_CEILING, description: 'bytes' })
  @IsInt()
  @Min(KDF_MEMLIMIT_FLOOR)
  @Max(KDF_MEMLIMIT_CEILING)
  memlimit!: number;
}

export class EncryptedKeyBundleDto implements EncryptedKeyBundle {
  @ApiProperty({ enum: [KEY_BUNDLE_VERSION] })
  @Equals(KEY_BUNDLE_VERSION)
  version!: typeof KEY_BUNDLE_VERSION;

  @ApiProperty({ enum: [Algorithm.XChaCha20Poly1305Ietf] })
  @Equals(Algorithm.XChaCha20Poly1305Ietf)
  algorithm!: typeof Algorithm.XChaCha20Poly1305Ietf;

  @ApiProperty({ enum: ['password', 'recovery'] })
  @IsIn(['password', 'recovery'])
  purpose!: 'password' | 'recovery';

  @ApiProperty({ description: '24 bytes, base64url' })
  @IsString()
  @MaxLength(40)
  @Matches(BASE64URL)
  nonce!: string;

  @ApiProperty({ description: '48 bytes, base64url' })
  @IsString()
  @MaxLength(80)
  @Matches(BASE64URL)
  ciphertext!: string;
}

export class UserPublicKeysDto implements UserPublicKeys {
  @ApiProperty({ description: 'X25519, 32 bytes, base64url' })
  @IsString()
  @MaxLength(64)
  @Matches(BASE64URL)
  boxPublicKey!: string;

  @ApiProperty({ description: 'Ed25519, 32 bytes, base64url' })
  @IsString()
  @MaxLength(64)
  @Matches(BASE64URL)
  signPublicKey!: string;
}

/** 32 bytes, base64url: an authKey or recovery authKey. */
export const AUTH_KEY_PATTERN = canonicalBase64UrlOf(32);
export const AUTH_KEY_LENGTH = 43;
/** Eight groups of five digits (docs/protocol.md, fingerprints). */
export const FINGERPRINT_PATTERN = /^\d{5}( \d{5}){7}$/;
export const FINGERPRINT_LENGTH = 47;

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
