/** The body of POST /auth/totp/confirm: the authKey and a first code from the authenticator. */
import { ApiProperty } from '@nestjs/swagger';
import { Length, Matches, MaxLength } from 'class-validator';
import { IsEmailAddress } from '../../common/http/email-address';
import { AUTH_KEY_LENGTH, AUTH_KEY_PATTERN, TOTP_CODE } from './credential-fields';

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
