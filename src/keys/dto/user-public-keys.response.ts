/** `GET /keys/users/:userId`: a key-holding member's public keys, name and scope, and their grants in the caller's scope. */
import { MAX_TEAM_GENERATION } from '../../crypto/protocol-constants';
import { ApiProperty } from '@nestjs/swagger';
import { KEY_HOLDING_ROLES, type Role } from '../../contract/roles';
import { EMAIL_FIELD, FINGERPRINT_FIELD, PUBLIC_KEY_FIELD, UUID_FIELD } from '../../common/openapi/api-fields';
import { DISPLAY_NAME_FIELD } from '../../contract/display-name';
import { HeldGrantResponse } from './grant.response';
import { SCOPE_NAME_FIELD } from './key-limits';

export class UserPublicKeysResponse {
  @ApiProperty(UUID_FIELD)
  userId!: string;

  @ApiProperty({ enum: KEY_HOLDING_ROLES })
  role!: Role;

  @ApiProperty({ description: 'False once disabled; the keys still verify what they signed before' })
  active!: boolean;

  @ApiProperty({ ...PUBLIC_KEY_FIELD, description: 'X25519, 32 bytes, base64url' })
  boxPublicKey!: string;

  @ApiProperty({ ...PUBLIC_KEY_FIELD, description: 'Ed25519, 32 bytes, base64url' })
  signPublicKey!: string;

  @ApiProperty({ ...FINGERPRINT_FIELD, example: '06001 72261 81968 87805 60757 75196 95614 42813' })
  fingerprint!: string;

  @ApiProperty({ ...EMAIL_FIELD, example: 'amina.wanjiru@embassy.example' })
  email!: string;

  @ApiProperty({ ...DISPLAY_NAME_FIELD, example: 'Amina Wanjiru', description: 'Set by the administrator (docs/identity.md)' })
  displayName!: string | null;

  @ApiProperty({ ...UUID_FIELD, description: "The member's scope: the embassy's or organisation's id, or the network's fixed id" })
  scopeId!: string;

  @ApiProperty({ ...SCOPE_NAME_FIELD, example: 'Embassy of France in Nairobi', description: "The embassy's or organisation's name, or \"Coordinators' network\"" })
  scopeName!: string;

  @ApiProperty({
    type: () => HeldGrantResponse,
    isArray: true,
    maxItems: MAX_TEAM_GENERATION,
    description:
      "Every grant this member holds in the caller's scope (newest generation first; empty for a member of another scope), with the granters' keys: a reader walks them to trust the keys",
  })
  grants!: HeldGrantResponse[];
}
