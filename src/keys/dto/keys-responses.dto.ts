/**
 * Response bodies of the key routes, built by the explicit mappers in keys.mappers.ts.
 * Only public keys, sealed material and clear metadata (ids, generations, dates): the
 * server has nothing else to give, and a new column must not appear here by default.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { KEY_HOLDING_ROLES, SCOPE_TYPES, type Role, type ScopeType } from '../../common/authz/roles';
import { HistoryLinkDto, StoredDataKeyWrapDto, TeamKeyGrantDto } from './key-material.dto';

export class UserPublicKeysResponse {
  @ApiProperty({ format: 'uuid' })
  userId!: string;

  @ApiProperty({ enum: KEY_HOLDING_ROLES })
  role!: Role;

  @ApiProperty({ description: 'False once disabled; the keys still verify what they signed before' })
  active!: boolean;

  @ApiProperty({ description: 'X25519, 32 bytes, base64url' })
  boxPublicKey!: string;

  @ApiProperty({ description: 'Ed25519, 32 bytes, base64url' })
  signPublicKey!: string;

  @ApiProperty({ example: '06001 72261 81968 87805 60757 75196 95614 42813' })
  fingerprint!: string;

  @ApiProperty({ example: 'amina.wanjiru@embassy.example' })
  email!: string;

  @ApiProperty({ type: String, nullable: true, example: 'Amina Wanjiru', description: 'Set by the administrator (docs/identity.md)' })
  displayName!: string | null;

  @ApiProperty({ format: 'uuid', description: "The member's scope: the embassy's or organisation's id, or the network's fixed id" })
  scopeId!: string;

  @ApiProperty({ example: 'Embassy of France in Nairobi', description: "The embassy's or organisation's name, or \"Coordinators' network\"" })
  scopeName!: string;

  @ApiProperty({
    type: () => HeldGrantResponse,
    isArray: true,
    description:
      "Every grant this member holds in the caller's scope (newest generation first; empty for a member of another scope), with the granters' keys: a reader walks them to trust the keys",
  })
  grants!: HeldGrantResponse[];
}

export class TeamPublicKeyResponse {
  @ApiProperty({ format: 'uuid' })
  scopeId!: string;

  @ApiProperty({ enum: SCOPE_TYPES })
  scopeType!: ScopeType;

  @ApiProperty({ minimum: 1 })
  generation!: number;

  @ApiProperty({ description: 'T_g, X25519, 32 bytes, base64url' })
  teamBoxPublicKey!: string;

  @ApiProperty({ description: 'Team fingerprint of (scopeId, generation, T_g), to compare out of band' })
  fingerprint!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class TeamMemberResponse {
  @ApiProperty({ format: 'uuid' })
  userId!: string;

  @ApiProperty({ enum: KEY_HOLDING_ROLES })
  role!: Role;

  @ApiProperty({ description: 'X25519, 32 bytes, base64url: seal the team seed to this key' })
  boxPublicKey!: string;

  @ApiProperty({ description: 'Ed25519, 32 bytes, base64url' })
  signPublicKey!: string;

  @ApiProperty({ description: 'Compare with the member out of band before granting' })
  fingerprint!: string;

  @ApiProperty({ example: 'amina.wanjiru@embassy.example' })
  email!: string;

  @ApiProperty({ type: String, nullable: true, example: 'Amina Wanjiru', description: 'Set by the administrator (docs/identity.md)' })
  displayName!: string | null;

  @ApiProperty({ example: 'Embassy of France in Nairobi', description: "The embassy's or organisation's name, or \"Coordinators' network\"" })
  scopeName!: string;
}

export class TeamMembersResponse {
  @ApiProperty({ format: 'uuid' })
  scopeId!: string;

  @ApiProperty({ description: 'The current generation the list refers to' })
  generation!: number;

  @ApiProperty({ type: [TeamMemberResponse] })
  members!: TeamMemberResponse[];
}

export class GrantCreatedResponse {
  @ApiProperty({ format: 'uuid' })
  scopeId!: string;

  @ApiProperty()
  generation!: number;

  @ApiProperty({ format: 'uuid' })
  recipientUserId!: string;

  @ApiProperty({ format: 'uuid' })
  granterUserId!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class HeldGrantResponse {
  @ApiProperty({ type: TeamKeyGrantDto, description: 'The grant exactly as its granter signed it' })
  grant!: TeamKeyGrantDto;

  @ApiProperty({ description: "The granter's registered Ed25519 key, to verify the grant" })
  granterSignPublicKey!: string;

  @ApiProperty({ description: "The granter's registered X25519 key: with the sign key, what the fingerprint is computed from" })
  granterBoxPublicKey!: string;

  @ApiProperty({ description: "The granter's fingerprint, to compare with a pinned one" })
  granterFingerprint!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class MyTeamKeysResponse {
  @ApiProperty({ format: 'uuid' })
  scopeId!: string;

  @ApiProperty()
  currentGeneration!: number;

  @ApiProperty({ type: [HeldGrantResponse], description: "The caller's grants, newest generation first" })
  grants!: HeldGrantResponse[];

  @ApiProperty({ type: [HistoryLinkDto], description: 'Every history link of the scope (generation g → g − 1)' })
  historyLinks!: HistoryLinkDto[];
}

export class SealedDataKeysPageResponse {
  @ApiProperty({ type: [StoredDataKeyWrapDto], description: 'Each with the record it belongs to and its writer signature (null: unsigned, protocol 1)' })
  dataKeys!: StoredDataKeyWrapDto[];

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String, description: 'Pass as `after` for the next page' })
  nextAfter!: string | null;
}

export class WrapsResignedResponse {
  @ApiProperty({ format: 'uuid' })
  scopeId!: string;

  @ApiProperty({ description: 'The current generation the wraps are sealed to' })
  generation!: number;

  @ApiProperty({ description: 'How many wraps now carry the caller as writer' })
  resigned!: number;
}

export class RotationResponse extends TeamPublicKeyResponse {
  @ApiProperty()
  grantsCreated!: number;

  @ApiProperty()
  dataKeysResealed!: number;
}

export class DirectoryTeamKeyResponse extends TeamPublicKeyResponse {
  @ApiPropertyOptional({
    type: HeldGrantResponse,
    nullable: true,
    description:
      "A grant of this generation signed by one of the scope's members: accept teamBoxPublicKey only if its signature verifies under a key whose fingerprint you checked",
  })
  signedBy!: HeldGrantResponse | null;
}
