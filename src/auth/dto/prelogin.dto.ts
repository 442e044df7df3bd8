/** The body of POST /auth/prelogin: the e-mail whose KDF salt and limits the client needs. */
import { ApiProperty } from '@nestjs/swagger';
import { MaxLength } from 'class-validator';
import { IsEmailAddress } from '../../common/http/email-address';

export class PreloginRequest {
  @ApiProperty()
  @IsEmailAddress()
  @MaxLength(254)
  email!: string;
}
