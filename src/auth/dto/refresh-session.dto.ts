/** The body of POST /auth/refresh: the session's current refresh token. */
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
import { OPAQUE_TOKEN, OPAQUE_TOKEN_LENGTH } from '../../common/openapi/api-fields';

export class RefreshRequest {
  @ApiProperty()
  @IsString()
  @Length(OPAQUE_TOKEN_LENGTH, OPAQUE_TOKEN_LENGTH)
  @Matches(OPAQUE_TOKEN)
  refreshToken!: string;
}
