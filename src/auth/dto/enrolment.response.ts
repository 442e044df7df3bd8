/** What enrolment and setup answer: the new account and its TOTP secret, shown this once. */
import { ApiProperty } from '@nestjs/swagger';
import { UserSummaryResponse } from './user-summary.response';

export class TotpEnrolmentDto {
  @ApiProperty({ description: 'Base32 shared secret (20 bytes), shown once', pattern: '^[A-Z2-7]{32}$', minLength: 32, maxLength: 32 })
  secret!: string;

  @ApiProperty({ description: 'otpauth:// URI for authenticator apps, shown once', pattern: '^otpauth://totp/', maxLength: 2048 })
  otpauthUri!: string;
}

export class EnrolmentResponse {
  @ApiProperty({ type: UserSummaryResponse })
  user!: UserSummaryResponse;

  @ApiProperty({ type: TotpEnrolmentDto })
  totp!: TotpEnrolmentDto;
}
