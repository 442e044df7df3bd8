/**
 * Explicit mappers from repository rows to response bodies: each field is chosen, so a
 * column added to a table never reaches a client by default.
 */
import type { StoredDataKeyWrap } from '../crypto/data-key-wrap-payload';
import type { HistoryLink } from '../crypto/key-bundles';
import type { SealedDataKeysPageResponse } from './dto/data-keys.response';
import type { GrantCreatedResponse, HeldGrantResponse } from './dto/grant.response';
import type { MyTeamKeysResponse } from './dto/my-team-keys.response';
import type { PendingDataKeysPage, RotationChunkResponse, RotationResponse } from './dto/rotation.response';
import type { DirectoryTeamKeyResponse, TeamPublicKeyResponse } from './dto/team-key.response';
import type { TeamMemberResponse, TeamMembersResponse } from './dto/team-members.response';
import type { UserPublicKeysResponse } from './dto/user-public-keys.response';
import type { WrapsResignedResponse } from './dto/wraps-resigned.response';
import type { GenerationRow, HeldGrantRow, InsertedGrantRow, MemberKeysRow } from './keys.repository';
import type { ChunkResultRow, RotationRow } from './rotation.repository';

/** `grants`: the member's grants of the current generation of the caller's scope. */
export function toUserPublicKeysResponse(row: MemberKeysRow, grants: readonly HeldGrantRow[]): UserPublicKeysResponse {
  return {
    userId: row.user_id,
    role: row.role,
    active: row.active,
    boxPublicKey: row.box_public_key,
    signPublicKey: row.sign_public_key,
    fingerprint: row.fingerprint,
    email: row.email,
    displayName: row.display_name,
    scopeId: row.scope_id,
    scopeName: row.scope_name,
    grants: grants.map(toHeldGrantResponse),
  };
}

export function toTeamMemberResponse(row: MemberKeysRow): TeamMemberResponse {
  return {
    userId: row.user_id,
    role: row.role,
    boxPublicKey: row.box_public_key,
    signPublicKey: row.sign_public_key,
    fingerprint: row.fingerprint,
    email: row.email,
    displayName: row.display_name,
    scopeName: row.scope_name,
  };
}

export function toTeamPublicKeyResponse(row: GenerationRow): TeamPublicKeyResponse {
  return {
    scopeId: row.scope_id,
    scopeType: row.scope_type,
    generation: row.generation,
    teamBoxPublicKey: row.team_box_public_key,
    fingerprint: row.fingerprint,
    createdAt: row.created_at.toISOString(),
  };
}

export function toGrantCreatedResponse(
  scopeId: string,
  generation: number,
  granterUserId: string,
  row: InsertedGrantRow,
): GrantCreatedResponse {
  return { scopeId, generation, recipientUserId: row.recipient_id, granterUserId, createdAt: row.created_at.toISOString() };
}

/**
 * The grant rebuilt field for field as it was signed (T_g comes from its generation row):
 * a version-1 grant has no recipientSignPublicKey at all, as its signed bytes have none.
 */
export function toHeldGrantResponse(row: HeldGrantRow): HeldGrantResponse {
  return {
    grant: {
      version: row.version,
      scopeId: row.scope_id,
      generation: row.generation,
      recipientUserId: row.recipient_id,
      recipientBoxPublicKey: row.recipient_box_public_key,
      ...(row.recipient_sign_public_key === null ? {} : { recipientSignPublicKey: row.recipient_sign_public_key }),
      granterUserId: row.granter_id,
      teamBoxPublicKey: row.team_box_public_key,
      sealedTeamSeed: row.sealed_team_seed,
      signature: row.signature,
    },
    granterSignPublicKey: row.granter_sign_public_key,
    granterBoxPublicKey: row.granter_box_public_key,
    granterFingerprint: row.granter_fingerprint,
    createdAt: row.created_at.toISOString(),
  };
}

export function toDirectoryTeamKeyResponse(row: GenerationRow, signedBy: HeldGrantRow | undefined): DirectoryTeamKeyResponse {
  return { ...toTeamPublicKeyResponse(row), signedBy: signedBy === undefined ? null : toHeldGrantResponse(signedBy) };
}

export function toTeamMembersResponse(current: GenerationRow, members: readonly MemberKeysRow[]): TeamMembersResponse {
  return { scopeId: current.scope_id, generation: current.generation, members: members.map(toTeamMemberResponse) };
}

export function toMyTeamKeysResponse(current: GenerationRow, grants: readonly HeldGrantRow[], historyLinks: readonly HistoryLink[]): MyTeamKeysResponse {
  return { scopeId: current.scope_id, currentGeneration: current.generation, grants: grants.map(toHeldGrantResponse), historyLinks: [...historyLinks] };
}

/** A keyset page: `nextAfter` is the last key id of a full page, null on the last one. */
export function toDataKeysPageResponse(dataKeys: readonly StoredDataKeyWrap[], limit: number): SealedDataKeysPageResponse {
  return { dataKeys: [...dataKeys], nextAfter: dataKeys.length === limit ? dataKeys[dataKeys.length - 1].keyId : null };
}

export function toWrapsResignedResponse(scopeId: string, generation: number, resigned: number): WrapsResignedResponse {
  return { scopeId, generation, resigned };
}

export function toRotationResponse(row: RotationRow): RotationResponse {
  return {
    scopeId: row.scope_id,
    scopeType: row.scope_type,
    generation: row.to_generation,
    teamBoxPublicKey: row.team_box_public_key,
    fingerprint: row.fingerprint,
    createdAt: row.generation_created_at.toISOString(),
    rotationId: row.id,
    state: row.state,
    previousGeneration: row.from_generation,
    startedBy: row.started_by,
    startedAt: row.started_at.toISOString(),
    completedAt: row.completed_at === null ? null : row.completed_at.toISOString(),
    grantsCreated: row.grants,
    dataKeysTotal: row.data_keys_total,
    dataKeysResealed: row.data_keys_resealed,
    chunks: row.chunks,
  };
}

/** `submitted` keys of a chunk: those neither written nor gone already had a wrap of the new generation. */
export function toRotationChunkResponse(row: RotationRow, result: ChunkResultRow, submitted: number): RotationChunkResponse {
  return {
    rotation: toRotationResponse(row),
    resealed: result.resealed,
    alreadyResealed: submitted - result.resealed - result.gone,
    gone: result.gone,
  };
}

/** `nextAfter`: the last key id the page looked at, whether or not it still awaited; null when the walk is over. */
export function toPendingDataKeysPage(rotationId: string, dataKeys: readonly StoredDataKeyWrap[], nextAfter: string | null): PendingDataKeysPage {
  return { rotationId, dataKeys: [...dataKeys], nextAfter };
}
