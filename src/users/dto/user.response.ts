/**
 * What the API says about a user account, for administrators. Built field by field by
 * `toUserResponse` (users.mappers.ts) from a row that the repository selects column by column: no hash,
 * bundle, salt, TOTP secret or other key material is read, let alone returned, and a
 * column added to users later stays out until someone adds it here on purpose.
 */
import { ApiProperty } from '@nestjs/swagger';
import { PAGE_LIMIT_MAX } from '../../common/http/keyset-cursor';
import { DATE_TIME_FIELD, EMAIL_FIELD, FINGERPRINT_FIELD, integerField, NEXT_CURSOR_FIELD, UUID_FIELD } from '../../common/openapi/api-fields';
import { ROLES, type Role } from '../../contract/roles';
import { DISPLAY_NAME_FIELD } from '../../contract/display-name';
import { USER_STATUSES, type UserStatus } from '../../contract/roles';
import { ScopeDto } from '../../common/authz/scope.response';
import { MAX_RECORD_VERSION } from './versioned.dto';

export class UserResponse {
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

  @ApiProperty({ enum: USER_STATUSES })
  status!: UserStatus;

  @ApiProperty({ ...FINGERPRINT_FIELD, description: 'Fingerprint of the public keys, to compare out of band' })
  fingerprint!: string;

  @ApiProperty({ description: 'Whether TOTP has been activated (required before a first login)' })
  mfaEnabled!: boolean;

  @ApiProperty({ ...DATE_TIME_FIELD, nullable: true, description: 'Set while (or since) a lockout' })
  lockedUntil!: string | null;

  @ApiProperty(DATE_TIME_FIELD)
  createdAt!: string;

  @ApiProperty({ ...integerField(1, MAX_RECORD_VERSION), description: 'Moves on every change of role, scope or status; send it back with the next one' })
  version!: number;
}

export class UserPage {
  @ApiProperty({ type: [UserResponse], maxItems: PAGE_LIMIT_MAX })
  items!: UserResponse[];

  @ApiProperty(NEXT_CURSOR_FIELD)
  nextCursor!: string | null;
}
