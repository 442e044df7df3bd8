/**
 * What the API says about a user account, for administrators. Built field by field by
 * `toUserResponse` from a record that the repository selects column by column: no hash,
 * bundle, salt, TOTP secret or other key material is read, let alone returned, and a
 * column added to users later stays out until someone adds it here on purpose.
 */
import { ApiProperty } from '@nestjs/swagger';
import { ScopeDto } from '../../auth/dto/auth-responses.dto';
import { ROLES, scopeOf, type Role } from '../../common/authz/roles';
import { USER_STATUSES, type UserStatus } from '../user.entity';
import type { UserAccountRecord } from '../users.repository';

export class UserResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  email!: string;

  @ApiProperty({ type: String, nullable: true, description: 'Set by the administrator on the invitation (docs/identity.md)' })
  displayName!: string | null;

  @ApiProperty({ enum: ROLES })
  role!: Role;

  @ApiProperty({ type: ScopeDto })
  scope!: ScopeDto;

  @ApiProperty({ enum: USER_STATUSES })
  status!: UserStatus;

  @ApiProperty({ description: 'Fingerprint of the public keys, to compare out of band' })
  fingerprint!: string;

  @ApiProperty({ description: 'Whether TOTP has been activated (required before a first login)' })
  mfaEnabled!: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Set while (or since) a lockout' })
  lockedUntil!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class UserPage {
  @ApiProperty({ type: [UserResponse] })
  items!: UserResponse[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as ?cursor= for the next page; null on the last' })
  nextCursor!: string | null;
}

export function toUserResponse(user: UserAccountRecord): UserResponse {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    role: user.role,
    scope: scopeOf(user.role, user.embassyId, user.organizationId),
    status: user.status,
    fingerprint: user.fingerprint,
    mfaEnabled: user.totpEnabledAt !== null,
    lockedUntil: user.lockedUntil?.toISOString() ?? null,
    createdAt: user.createdAt.toISOString(),
  };
}
