/**
 * Explicit mappers from repository rows to response bodies: each field is chosen, so a
 * column added to a table never reaches a client by default.
 */
import type { GenerationRow, HeldGrantRow, InsertedGrantRow, MemberKeysRow } from './keys.repository';
import type {
  GrantCreatedResponse,
  HeldGrantResponse,
  TeamMemberResponse,
  TeamPublicKeyResponse,
  UserPublicKeysResponse,
} from './dto/keys-responses.dto';

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
