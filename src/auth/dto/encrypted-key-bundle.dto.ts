/**
 * The user seed wrapped under the password's KEK or the recovery key: opaque to the server,
 * which checks its shape here and its exact byte lengths with the protocol's validators
 * (src/crypto/key-bundles.ts) in the service.
 */
import { ApiProperty } from '@nestjs/swagger';
import { Equals, IsIn, IsString, Matches, MaxLength } from 'class-validator';
import type { EncryptedKeyBundle } from '../../crypto/key-bundles';
import { Algorithm, KEY_BUNDLE_VERSION } from '../../crypto/protocol-constants';
import { BASE64URL } from './credential-fields';

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
