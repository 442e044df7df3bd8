/** Who an account is, as enrolment, TOTP activation, login and whoami show it (never a credential). */
import { ApiProperty } from '@nestjs/swagger';
import { ROLES, type Role } from '../../contract/roles';
import { EMAIL_FIELD, FINGERPRINT_FIELD, UUID_FIELD } from '../../common/openapi/api-fields';
import { DISPLAY_NAME_FIELD } from '../../contract/display-name';
import { ScopeDto } from '../../common/authz/scope.response';

export class UserSummaryResponse {
  @ApiProperty(UUID_FIELD)
  id!: string;

  @ApiProperty(EMAIL_FIELD)
  email!: string;

  @ApiProperty({ ...DISPLAY_NAME_FIELD, description: 'Set by the administrator on the invitation (docs/identity.md)' })
  displayName!: string | null;

  @ApiProperty({ enum: ROLES })
  role!: Role;

  @ApiProperty({ type: ScopeDto })
  scope!: ScopeDto;

  @ApiProperty({ ...FINGERPRINT_FIELD, description: 'Fingerprint of the public keys, to compare out of band' })
  fingerprint!: string;
}
