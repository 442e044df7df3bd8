/**
 * Response bodies of the key routes, built by the explicit mappers in keys.mappers.ts.
 * Only public keys, sealed material and clear metadata (ids, generations, dates): the
 * server has nothing else to give, and a new column must not appear here by default.
 */
import { ApiProperty } from '@nestjs/swagger';
import { KEY_HOLDING_ROLES, SCOPE_TYPES, type Role, type ScopeType } from '../../common/authz/roles';
import { HistoryLinkDto, StoredDataKeyWrapDto, TeamKeyGrantDto } from './key-material.dto';
import { DATE_TIME_FIELD, EMAIL_FIELD, FINGERPRINT_FIELD, integerField, PUBLIC_KEY_FIELD, UUID_FIELD } from '../../common/openapi/api-fields';
import { DISPLAY_NAME_FIELD } from '../../users/display-name';
import { MAX_DATA_KEYS_PAGE, MAX_ROTATION_DATA_KEYS, MAX_ROTATION_GRANTS, MAX_TEAM_MEMBERS_LISTED, MAX_WRAP_SIGNATURES } from './keys-requests.dto';

const MAX_GENERATION = 0xffff_ffff;
/** One grant per generation at most, so a list of a member's grants is bounded by the generations. */
const GENERATION_FIELD = integerField(1, MAX_GENERATION);
/** An embassy's or organisation's name (at most 200 characters), or "Coordinators' network". */
const SCOPE_NAME_FIELD = { type: String, minLength: 1, maxLength: 200 } as const;

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
    maxItems: MAX_GENERATION,
    description:
      "Every grant this member holds in the caller's scope (newest generation first; empty for a member of another scope), with the granters' keys: a reader walks them to trust the keys",
  })
  grants!: HeldGrantResponse[];
}

export class TeamPublicKeyResponse {
  @ApiProperty(UUID_FIELD)
  scopeId!: string;

  @ApiProperty({ enum: SCOPE_TYPES })
  scopeType!: ScopeType;

  @ApiProperty(GENERATION_FIELD)
  generation!: number;

  @ApiProperty({ ...PUBLIC_KEY_FIELD, description: 'T_g, X25519, 32 bytes, base64url' })
  teamBoxPublicKey!: string;

  @ApiProperty({ ...FINGERPRINT_FIELD, description: 'Team fingerprint of (scopeId, generation, T_g), to compare out of band' })
  fingerprint!: string;

  @ApiProperty(DATE_TIME_FIELD)
  createdAt!: string;
}

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

export class GrantCreatedResponse {
  @ApiProperty(UUID_FIELD)
  scopeId!: string;

  @ApiProperty(GENERATION_FIELD)
  generation!: number;

  @ApiProperty(UUID_FIELD)
  recipientUserId!: string;

  @ApiProperty(UUID_FIELD)
  granterUserId!: string;

  @ApiProperty(DATE_TIME_FIELD)
  createdAt!: string;
}

export class HeldGrantResponse {
  @ApiProperty({ type: TeamKeyGrantDto, description: 'The grant exactly as its granter signed it' })
  grant!: TeamKeyGrantDto;

  @ApiProperty({ ...PUBLIC_KEY_FIELD, description: "The granter's registered Ed25519 key, to verify the grant" })
  granterSignPublicKey!: string;

  @ApiProperty({ ...PUBLIC_KEY_FIELD, description: "The granter's registered X25519 key: with the sign key, what the fingerprint is computed from" })
  granterBoxPublicKey!: string;

  @ApiProperty({ ...FINGERPRINT_FIELD, description: "The granter's fingerprint, to compare with a pinned one" })
  granterFingerprint!: string;

  @ApiProperty(DATE_TIME_FIELD)
  createdAt!: string;
}

export class MyTeamKeysResponse {
  @ApiProperty(UUID_FIELD)
  scopeId!: string;

  @ApiProperty(GENERATION_FIELD)
  currentGeneration!: number;

  @ApiProperty({ type: [HeldGrantResponse], maxItems: MAX_GENERATION, description: "The caller's grants, newest generation first (one per generation at most)" })
  grants!: HeldGrantResponse[];

  @ApiProperty({ type: [HistoryLinkDto], maxItems: MAX_GENERATION - 1, description: 'Every history link of the scope (generation g → g − 1)' })
  historyLinks!: HistoryLinkDto[];
}

export class SealedDataKeysPageResponse {
  @ApiProperty({
    type: [StoredDataKeyWrapDto],
    maxItems: MAX_DATA_KEYS_PAGE,
    description: 'Each with the record it belongs to and its writer signature (null: unsigned, protocol 1)',
  })
  dataKeys!: StoredDataKeyWrapDto[];

  @ApiProperty({ ...UUID_FIELD, nullable: true, description: 'Pass as `after` for the next page; null on the last' })
  nextAfter!: string | null;
}

export class WrapsResignedResponse {
  @ApiProperty(UUID_FIELD)
  scopeId!: string;

  @ApiProperty({ ...GENERATION_FIELD, description: 'The current generation the wraps are sealed to' })
  generation!: number;

  @ApiProperty({ ...integerField(1, MAX_WRAP_SIGNATURES), description: 'How many wraps now carry the caller as writer' })
  resigned!: number;
}

export class RotationResponse extends TeamPublicKeyResponse {
  @ApiProperty(integerField(1, MAX_ROTATION_GRANTS))
  grantsCreated!: number;

  @ApiProperty(integerField(0, MAX_ROTATION_DATA_KEYS))
  dataKeysResealed!: number;
}

export class DirectoryTeamKeyResponse extends TeamPublicKeyResponse {
  @ApiProperty({
    type: HeldGrantResponse,
    nullable: true,
    description:
      "A grant of this generation signed by one of the scope's members: accept teamBoxPublicKey only if its signature verifies under a key whose fingerprint you checked",
  })
  signedBy!: HeldGrantResponse | null;
}
