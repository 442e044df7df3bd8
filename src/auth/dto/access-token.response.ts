/** A fresh access token (after a password change, the session goes on with it). */
import { ApiProperty } from '@nestjs/swagger';
import { integerField, JWT_FIELD } from '../../common/openapi/api-fields';
import { ACCESS_TOKEN_TTL_SECONDS } from '../access-token';

export class AccessTokenResponse {
  @ApiProperty({ ...JWT_FIELD, description: 'Send as `Authorization: Bearer <accessToken>`' })
  accessToken!: string;

  @ApiProperty({ enum: ['Bearer'] })
  tokenType!: 'Bearer';

  @ApiProperty({ ...integerField(1, ACCESS_TOKEN_TTL_SECONDS), description: 'Seconds until the access token expires' })
  expiresIn!: number;
}
