/**
 * Argon2id parameters as they travel both ways (enrolment, password change and recovery in;
 * prelogin, login and recovery out). The KDF floor is enforced here, so a weak parameter
 * set is refused before anything is stored.
 */
import { ApiProperty } from '@nestjs/swagger';
import { Equals, IsInt, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import type { KdfParameters } from '../../crypto/key-bundles';
import { KDF_ALGORITHM_ARGON2ID13, KDF_MEMLIMIT_CEILING, KDF_MEMLIMIT_FLOOR, KDF_OPSLIMIT_CEILING, KDF_OPSLIMIT_FLOOR } from '../../crypto/protocol-constants';
import { BASE64URL } from './credential-fields';

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
