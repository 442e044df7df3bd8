/** The body of POST /auth/password: the current authKey, and the new one with its salt and the seed re-wrapped. */
import { ApiProperty } from '@nestjs/swagger';
import { Length, Matches } from 'class-validator';
import { NestedObject } from '../../common/http/nested-validation';
import { AUTH_KEY_LENGTH, AUTH_KEY_PATTERN } from './credential-fields';
import { EncryptedKeyBundleDto } from './encrypted-key-bundle.dto';
import { KdfParametersDto } from './kdf-parameters.dto';

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
