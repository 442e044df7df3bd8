/** A user's two public keys, as enrolment sends them and login returns them. */
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';
import type { UserPublicKeys } from '../../crypto/key-bundles';
import { BASE64URL } from './credential-fields';

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
