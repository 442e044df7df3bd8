/** Members of the caller's scope (waiting for the key, or holding it), with the fingerprints to compare. */
import { ApiProperty } from '@nestjs/swagger';
import { KEY_HOLDING_ROLES, type Role } from '../../contract/roles';
import { EMAIL_FIELD, FINGERPRINT_FIELD, PUBLIC_KEY_FIELD, UUID_FIELD } from '../../common/openapi/api-fields';
import { DISPLAY_NAME_FIELD } from '../../contract/display-name';
import { GENERATION_FIELD, MAX_TEAM_MEMBERS_LISTED, SCOPE_NAME_FIELD } from './key-limits';

export class TeamMemberResponse {
  @ApiProperty(UUID_FIELD)
  userId!: string;

  @ApiProperty({ enum: KEY_HOLDING_ROLES })
  role!: Role;

  @ApiProperty({ ...PUBLIC_KEY_FIELD, description: 'X25519, 32 bytes, base64url: seal the team seed to this key' })
  boxPublicKey!: string;

  @ApiProperty({ ...PUBLIC_KEY_FIELD, description: 'Ed25519, 32 bytes, base64url' })
  signPublicKey!: string;

  @ApiProperty({ ...FINGERPRINT_FIELD, description: 'Compare with the member out of band before granting' })
  fingerprint!: string;

  @ApiProperty({ ...EMAIL_FIELD, example: 'amina.wanjiru@embassy.example' })
  email!: string;

  @ApiProperty({ ...DISPLAY_NAME_FIELD, example: 'Amina Wanjiru', description: 'Set by the administrator (docs/identity.md)' })
  displayName!: string | null;

  @ApiProperty({ ...SCOPE_NAME_FIELD, example: 'Embassy of France in Nairobi', description: "The embassy's or organisation's name, or \"Coordinators' network\"" })
  scopeName!: string;
}

export class TeamMembersResponse {
  @ApiProperty(UUID_FIELD)
  scopeId!: string;

  @ApiProperty({ ...GENERATION_FIELD, description: 'The current generation the list refers to' })
  generation!: number;

  @ApiProperty({ type: [TeamMemberResponse], maxItems: MAX_TEAM_MEMBERS_LISTED, description: `Oldest first, at most ${MAX_TEAM_MEMBERS_LISTED}` })
  members!: TeamMemberResponse[];
}
