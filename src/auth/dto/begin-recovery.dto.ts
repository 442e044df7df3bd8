/** The body of POST /auth/recovery/begin: the recovery authKey and a TOTP code. */
import { ApiProperty } from '@nestjs/swagger';
import { Length, Matches, MaxLength } from 'class-validator';
import { IsEmailAddress } from '../../common/http/email-address';
import { AUTH_KEY_LENGTH, AUTH_KEY_PATTERN, TOTP_CODE } from './credential-fields';

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
