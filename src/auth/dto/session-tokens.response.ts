/** What refresh answers: a new access token and the session's next refresh token. */
import { ApiProperty } from '@nestjs/swagger';
import { integerField, JWT_FIELD, OPAQUE_TOKEN_FIELD } from '../../common/openapi/api-fields';
import { ACCESS_TOKEN_TTL_SECONDS } from '../access-token';

export class SessionTokensResponse {
  @ApiProperty({ ...JWT_FIELD, description: 'Send as `Authorization: Bearer <accessToken>`' })
  accessToken!: string;

  @ApiProperty({ enum: ['Bearer'] })
  tokenType!: 'Bearer';

  @ApiProperty({ ...integerField(1, ACCESS_TOKEN_TTL_SECONDS), description: 'Seconds until the access token expires' })
  expiresIn!: number;

  @ApiProperty({ ...OPAQUE_TOKEN_FIELD, description: 'Opaque, single-use; rotate it with /auth/refresh' })
  refreshToken!: string;
}
