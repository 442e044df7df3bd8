/** The body of POST /auth/recovery/complete: the ticket from /recovery/begin and the new password's credentials. */
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches, MaxLength } from 'class-validator';
import { NestedObject } from '../../common/http/nested-validation';
import { JWT_MAX_LENGTH, JWT_PATTERN } from '../../common/openapi/api-fields';
import { AUTH_KEY_LENGTH, AUTH_KEY_PATTERN } from './credential-fields';
import { EncryptedKeyBundleDto } from './encrypted-key-bundle.dto';
import { KdfParametersDto } from './kdf-parameters.dto';

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
