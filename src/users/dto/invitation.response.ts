/**
 * What the API says about invitations. The code exists in clear only in
 * `CreatedInvitationResponse`, once; listings carry neither the code nor its hash.
 */
import { ApiProperty } from '@nestjs/swagger';
import { ScopeDto } from '../../auth/dto/auth-responses.dto';
import { ROLES, scopeOf, type Role } from '../../common/authz/roles';
import type { OpenInvitationRecord } from '../invitations.repository';

export class InvitationResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  email!: string;

  @ApiProperty({ type: String, nullable: true, description: 'The name the account will carry (docs/identity.md)' })
  displayName!: string | null;

  @ApiProperty({ enum: ROLES })
  role!: Role;

  @ApiProperty({ type: ScopeDto })
  scope!: ScopeDto;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The administrator who issued it' })
  createdBy!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  expiresAt!: string;
}

export class InvitationPage {
  @ApiProperty({ type: [InvitationResponse] })
  items!: InvitationResponse[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as ?cursor= for the next page; null on the last' })
  nextCursor!: string | null;
}

export class CreatedInvitationResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ description: 'The one-time code, shown this once: deliver it out of band' })
  code!: string;

  @ApiProperty()
  email!: string;

  @ApiProperty({ type: String, nullable: true })
  displayName!: string | null;

  @ApiProperty({ enum: ROLES })
  role!: Role;

  @ApiProperty({ type: ScopeDto })
  scope!: ScopeDto;

  @ApiProperty({ format: 'date-time' })
  expiresAt!: string;

  @ApiProperty({
    description:
      'Whether the scope already has a team key. When it has none, the first member to enrol founds the team and decides who joins next: the invitation must reach the right person. Always false for ADMIN and AUDITOR, who hold no team key.',
  })
  scopeHasTeam!: boolean;
}

export function toInvitationResponse(invitation: OpenInvitationRecord): InvitationResponse {
  return {
    id: invitation.id,
    email: invitation.email,
    displayName: invitation.displayName,
    role: invitation.role,
    scope: scopeOf(invitation.role, invitation.embassyId, invitation.organizationId),
    createdBy: invitation.createdBy,
    createdAt: invitation.createdAt.toISOString(),
    expiresAt: invitation.expiresAt.toISOString(),
  };
}
