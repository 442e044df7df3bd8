/**
 * What the API says about invitations. The code exists in clear only in
 * `CreatedInvitationResponse`, once; listings carry neither the code nor its hash. Built by
 * the mappers of users.mappers.ts.
 */
import { ApiProperty } from '@nestjs/swagger';
import { ROLES, type Role } from '../../contract/roles';
import { PAGE_LIMIT_MAX } from '../../common/http/keyset-cursor';
import { DATE_TIME_FIELD, EMAIL_FIELD, NEXT_CURSOR_FIELD, OPAQUE_TOKEN_FIELD, UUID_FIELD } from '../../common/openapi/api-fields';
import { DISPLAY_NAME_FIELD } from '../../contract/display-name';
import { ScopeDto } from '../../common/authz/scope.response';

export class InvitationResponse {
  @ApiProperty(UUID_FIELD)
  id!: string;

  @ApiProperty(EMAIL_FIELD)
  email!: string;

  @ApiProperty({ ...DISPLAY_NAME_FIELD, description: 'The name the account will carry (docs/identity.md)' })
  displayName!: string | null;

  @ApiProperty({ enum: ROLES })
  role!: Role;

  @ApiProperty({ type: ScopeDto })
  scope!: ScopeDto;

  @ApiProperty({ ...UUID_FIELD, nullable: true, description: 'The administrator who issued it' })
  createdBy!: string | null;

  @ApiProperty(DATE_TIME_FIELD)
  createdAt!: string;

  @ApiProperty(DATE_TIME_FIELD)
  expiresAt!: string;
}

export class InvitationPage {
  @ApiProperty({ type: [InvitationResponse], maxItems: PAGE_LIMIT_MAX })
  items!: InvitationResponse[];

  @ApiProperty(NEXT_CURSOR_FIELD)
  nextCursor!: string | null;
}

export class CreatedInvitationResponse {
  @ApiProperty(UUID_FIELD)
  id!: string;

  @ApiProperty({ ...OPAQUE_TOKEN_FIELD, description: 'The one-time code, shown this once: deliver it out of band' })
  code!: string;

  @ApiProperty(EMAIL_FIELD)
  email!: string;

  @ApiProperty(DISPLAY_NAME_FIELD)
  displayName!: string | null;

  @ApiProperty({ enum: ROLES })
  role!: Role;

  @ApiProperty({ type: ScopeDto })
  scope!: ScopeDto;

  @ApiProperty(DATE_TIME_FIELD)
  expiresAt!: string;

  @ApiProperty({
    description:
      'Whether the scope already has a team key. When it has none, the first member to enrol founds the team and decides who joins next: the invitation must reach the right person. Always false for ADMIN and AUDITOR, who hold no team key.',
  })
  scopeHasTeam!: boolean;
}
