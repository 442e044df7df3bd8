/**
 * Every SQL query of the key directory and team keys: users' public keys, team key
 * generations, grants and the data keys sealed to a scope. Every method is
 * `(manager, scope, …)` with the caller's branded scope, which each statement puts in
 * its WHERE, reads and writes alike: "another scope" and "missing" come back the same.
 * The directory's two public look-ups (a key holder's public keys, any scope's current
 * team key) are the exception, named as such: what they return is public.
 *
 * Writes that concurrency could break are decided by PostgreSQL: the primary key of
 * team_key_generations (one generation g per scope, ever) and its partial unique index
 * (one current generation per scope), the unique grant per (scope, generation,
 * recipient), and the per-scope keyring lock (keyring.repository.ts) that grants,
 * re-signing and rotations take.
 *
 * This module must never decide who may do what (keys.service.ts does) and never
 * interpret key material: it stores and returns strings it cannot open. It opens no
 * transaction: the service's Database does.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { COORDINATORS_NETWORK_ID, type Role, type ScopeType } from '../contract/roles';
import type { TeamScopeId } from '../common/authz/scope';
import type { StoredDataKeyWrap } from '../crypto/data-key-wrap-payload';
import type { HistoryLink, SealedDataKey } from '../crypto/key-bundles';
import type { TeamGrantVersion } from '../crypto/protocol-constants';

/** A user's public keys as the directory and the grant checks need them. */
export interface MemberKeysRow {
  user_id: string;
  role: Role;
  active: boolean;
  box_public_key: string;
  sign_public_key: string;
  fingerprint: string;
  /** Who the keys belong to, as a person reads it: `Name <e-mail> (scope)` (docs/identity.md). */
  email: string;
  display_name: string | null;
  scope_id: string;
  scope_name: string;
}

export interface GenerationRow {
  scope_id: string;
  generation: number;
  scope_type: ScopeType;
  team_box_public_key: string;
  fingerprint: string;
  history_link: HistoryLink | null;
  created_at: Date;
}

export interface NewGeneration {
  generation: number;
  scopeType: ScopeType;
  teamBoxPublicKey: string;
  fingerprint: string;
  historyLink: HistoryLink | null;
  createdBy: string;
}

export interface NewGrant {
  version: TeamGrantVersion;
  recipientId: string;
  granterId: string;
  recipientBoxPublicKey: string;
  /** Version 2: the recipient sign key the grant vouches for; null for version 1. */
  recipientSignPublicKey: string | null;
  sealedTeamSeed: string;
  signature: string;
}

export interface InsertedGrantRow {
  recipient_id: string;
  created_at: Date;
}

/** A grant held by a user, with what the recipient needs to verify it. */
export interface HeldGrantRow {
  version: TeamGrantVersion;
  scope_id: string;
  generation: number;
  recipient_id: string;
  recipient_box_public_key: string;
  recipient_sign_public_key: string | null;
  granter_id: string;
  team_box_public_key: string;
  sealed_team_seed: string;
  signature: string;
  granter_sign_public_key: string;
  granter_box_public_key: string;
  granter_fingerprint: string;
  created_at: Date;
}

export interface WrapRow {
  key_id: string;
  scope_id: string;
  generation: number;
  sealed: string;
  entity: string;
  record_id: string;
  writer_id: string | null;
  signature: string | null;
}

const WRAP_COLUMNS = `key_id, scope_id, generation, sealed, entity, record_id, writer_id, signature`;

/** The columns of a held grant as its recipient (or a reader walking the chain) needs them. */
const HELD_GRANT_COLUMNS = `g.version, g.scope_id, g.generation, g.recipient_id, g.recipient_box_public_key, g.recipient_sign_public_key,
              g.granter_id, t.team_box_public_key, g.sealed_team_seed, g.signature,
              granter.sign_public_key AS granter_sign_public_key, granter.box_public_key AS granter_box_public_key,
              granter.fingerprint AS granter_fingerprint, g.created_at`;

/**
 * "u is a key-holding member of the scope $n": embassy contacts of that embassy, NGO
 * members of that organisation, coordinators when the scope is the network. ADMIN and
 * AUDITOR never match: no scope key may ever be sealed to them.
 */
function memberOfScope(alias: string, scopeParam: string): string {
  return `((${alias}.role = 'EMBASSY_CONTACT' AND ${alias}.embassy_id = ${scopeParam})
        OR (${alias}.role = 'NGO' AND ${alias}.organisation_id = ${scopeParam})
        OR (${alias}.role = 'COORDINATOR' AND ${scopeParam} = '${COORDINATORS_NETWORK_ID}'::uuid))`;
}

/** Signed in with MFA and not disabled: who may hold a team key today. */
function eligible(alias: string): string {
  return `${alias}.status = 'ACTIVE' AND ${alias}.totp_enabled_at IS NOT NULL`;
}

/** What the coordinators' scope is called where a member's scope is named. */
export const COORDINATORS_NETWORK_NAME = "Coordinators' network";

/**
 * The member's e-mail, display name and the name of their scope (embassy, organisation,
 * or the coordinators' network): keys are shown to people next to who they belong to.
 * Scalar subqueries by primary key, for the users u of every member query.
 */
const MEMBER_IDENTITY_COLUMNS = `u.email, u.display_name,
  COALESCE(u.embassy_id, u.organisation_id, CASE WHEN u.role = 'COORDINATOR' THEN '${COORDINATORS_NETWORK_ID}'::uuid END) AS scope_id,
  COALESCE((SELECT e.name FROM embassies e WHERE e.id = u.embassy_id),
           (SELECT o.name FROM organisations o WHERE o.id = u.organisation_id),
           CASE WHEN u.role = 'COORDINATOR' THEN '${COORDINATORS_NETWORK_NAME.replaceAll("'", "''")}' END) AS scope_name`;
const MEMBER_COLUMNS = `u.id AS user_id, u.role, u.status = 'ACTIVE' AS active, u.box_public_key, u.sign_public_key, u.fingerprint,
  ${MEMBER_IDENTITY_COLUMNS}`;
const GENERATION_COLUMNS = `scope_id, generation, scope_type, team_box_public_key, fingerprint, history_link, created_at`;

/** The grants of the caller's scope a chain of vouching walks, with their granters' keys. */
const HELD_GRANTS_SQL = `SELECT ${HELD_GRANT_COLUMNS}
     FROM team_key_grants g
     JOIN team_key_generations t ON t.scope_id = g.scope_id AND t.generation = g.generation
     JOIN users granter ON granter.id = g.granter_id
    WHERE g.scope_id = $1 AND g.recipient_id = $2
    ORDER BY g.generation DESC`;

const CURRENT_GENERATION_SQL = `SELECT ${GENERATION_COLUMNS} FROM team_key_generations WHERE scope_id = $1 ORDER BY generation DESC LIMIT 1`;

@Injectable()
export class KeysRepository {
  /** A user's public keys, only if they are a key-holding member of the scope. */
  async findMember(manager: EntityManager, scope: TeamScopeId, userId: string): Promise<MemberKeysRow | undefined> {
    const rows = (await manager.query(`SELECT ${MEMBER_COLUMNS} FROM users u WHERE u.id = $2 AND ${memberOfScope('u', '$1::uuid')}`, [
      scope,
      userId,
    ])) as MemberKeysRow[];
    return rows[0];
  }

  /**
   * The directory (public): any user of a key-holding role, whatever their scope —
   * public keys, name and scope only; ADMIN and AUDITOR never.
   */
  async findKeyHolder(manager: EntityManager, userId: string): Promise<MemberKeysRow | undefined> {
    const rows = (await manager.query(
      `SELECT ${MEMBER_COLUMNS} FROM users u WHERE u.id = $1 AND u.role IN ('EMBASSY_CONTACT', 'NGO', 'COORDINATOR')`,
      [userId],
    )) as MemberKeysRow[];
    return rows[0];
  }

  /** The eligible (active, MFA) key-holding members of the scope among `userIds`. */
  async findEligibleMembers(manager: EntityManager, scope: TeamScopeId, userIds: readonly string[]): Promise<MemberKeysRow[]> {
    return (await manager.query(
      `SELECT ${MEMBER_COLUMNS} FROM users u
        WHERE u.id = ANY($2::uuid[]) AND ${memberOfScope('u', '$1::uuid')} AND ${eligible('u')}`,
      [scope, userIds],
    )) as MemberKeysRow[];
  }

  /** The scope's current (newest) generation; undefined before its team exists. */
  async findCurrent(manager: EntityManager, scope: TeamScopeId): Promise<GenerationRow | undefined> {
    const rows = (await manager.query(CURRENT_GENERATION_SQL, [scope])) as GenerationRow[];
    return rows[0];
  }

  /** The directory (public): any scope's current team key. */
  async findPublicTeamKey(manager: EntityManager, scopeId: string): Promise<GenerationRow | undefined> {
    const rows = (await manager.query(CURRENT_GENERATION_SQL, [scopeId])) as GenerationRow[];
    return rows[0];
  }

  /** Generation 1, unless the scope already has one: PostgreSQL's primary key decides a race. */
  async insertFirstGeneration(manager: EntityManager, scope: TeamScopeId, generation: NewGeneration): Promise<GenerationRow | undefined> {
    const rows = (await manager.query(
      `INSERT INTO team_key_generations (scope_id, generation, scope_type, team_box_public_key, fingerprint, history_link, created_by)
       VALUES ($1, 1, $2, $3, $4, NULL, $5)
       ON CONFLICT (scope_id, generation) DO NOTHING
       RETURNING ${GENERATION_COLUMNS}`,
      [scope, generation.scopeType, generation.teamBoxPublicKey, generation.fingerprint, generation.createdBy],
    )) as GenerationRow[];
    return rows[0];
  }

  /**
   * Marks generation `generation` of the scope no longer current, if it still is: taken
   * first by a rotation, this UPDATE waits for every writer holding the row FOR SHARE
   * (keyring.repository.ts) and makes the ones after it find no current generation to
   * seal to. False: it was not the current one.
   */
  async supersedeGeneration(manager: EntityManager, scope: TeamScopeId, generation: number): Promise<boolean> {
    const [, updated] = (await manager.query(
      `UPDATE team_key_generations SET superseded_at = now()
        WHERE scope_id = $1 AND generation = $2 AND superseded_at IS NULL`,
      [scope, generation],
    )) as [unknown, number];
    return updated === 1;
  }

  /** A later generation (current: the previous one was superseded first); a concurrent insert of the same one fails with a unique violation. */
  async insertGeneration(manager: EntityManager, scope: TeamScopeId, generation: NewGeneration): Promise<GenerationRow> {
    const rows = (await manager.query(
      `INSERT INTO team_key_generations (scope_id, generation, scope_type, team_box_public_key, fingerprint, history_link, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       RETURNING ${GENERATION_COLUMNS}`,
      [
        scope,
        generation.generation,
        generation.scopeType,
        generation.teamBoxPublicKey,
        generation.fingerprint,
        generation.historyLink === null ? null : JSON.stringify(generation.historyLink),
        generation.createdBy,
      ],
    )) as GenerationRow[];
    return rows[0];
  }

  /** Inserts grants of one generation; a recipient who already holds it is skipped (absent from the result). */
  async insertGrants(manager: EntityManager, scope: TeamScopeId, generation: number, grants: readonly NewGrant[]): Promise<InsertedGrantRow[]> {
    return (await manager.query(
      `INSERT INTO team_key_grants (scope_id, generation, version, recipient_id, granter_id, recipient_box_public_key, recipient_sign_public_key,
                                    sealed_team_seed, signature)
       SELECT $1, $2, g.version, g.recipient_id, g.granter_id, g.recipient_box_public_key, g.recipient_sign_public_key, g.sealed_team_seed, g.signature
         FROM unnest($3::smallint[], $4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::text[], $9::text[])
              AS g(version, recipient_id, granter_id, recipient_box_public_key, recipient_sign_public_key, sealed_team_seed, signature)
       ON CONFLICT (scope_id, generation, recipient_id) DO NOTHING
       RETURNING recipient_id, created_at`,
      [
        scope,
        generation,
        grants.map((g) => g.version),
        grants.map((g) => g.recipientId),
        grants.map((g) => g.granterId),
        grants.map((g) => g.recipientBoxPublicKey),
        grants.map((g) => g.recipientSignPublicKey),
        grants.map((g) => g.sealedTeamSeed),
        grants.map((g) => g.signature),
      ],
    )) as InsertedGrantRow[];
  }

  async holdsGeneration(manager: EntityManager, scope: TeamScopeId, generation: number, userId: string): Promise<boolean> {
    const rows = (await manager.query(`SELECT 1 FROM team_key_grants WHERE scope_id = $1 AND generation = $2 AND recipient_id = $3`, [
      scope,
      generation,
      userId,
    ])) as unknown[];
    return rows.length === 1;
  }

  /** Eligible members of the scope with no grant for `generation`, the oldest `limit`. */
  async findPendingMembers(manager: EntityManager, scope: TeamScopeId, generation: number, limit: number): Promise<MemberKeysRow[]> {
    return (await manager.query(
      `SELECT ${MEMBER_COLUMNS} FROM users u
        WHERE ${memberOfScope('u', '$1::uuid')} AND ${eligible('u')}
          AND NOT EXISTS (SELECT 1 FROM team_key_grants g
                           WHERE g.scope_id = $1 AND g.generation = $2 AND g.recipient_id = u.id)
        ORDER BY u.created_at, u.id
        LIMIT $3`,
      [scope, generation, limit],
    )) as MemberKeysRow[];
  }

  /**
   * Eligible members of the scope holding `generation`: whom a rotation must re-grant.
   * With `limit` null (the rotation's own check) every one of them, whatever their number.
   */
  async findHolders(manager: EntityManager, scope: TeamScopeId, generation: number, limit: number | null): Promise<MemberKeysRow[]> {
    return (await manager.query(
      `SELECT ${MEMBER_COLUMNS} FROM users u
         JOIN team_key_grants g ON g.recipient_id = u.id AND g.scope_id = $1 AND g.generation = $2
        WHERE ${memberOfScope('u', '$1::uuid')} AND ${eligible('u')}
        ORDER BY u.created_at, u.id
        LIMIT $3`,
      [scope, generation, limit],
    )) as MemberKeysRow[];
  }

  /** The user's grants in the scope, newest generation first, with the granters' public keys. */
  async findHeldGrants(manager: EntityManager, scope: TeamScopeId, userId: string): Promise<HeldGrantRow[]> {
    return (await manager.query(HELD_GRANTS_SQL, [scope, userId])) as HeldGrantRow[];
  }

  /**
   * The directory (public): one grant of a scope's `generation`, preferably a member's
   * grant to themself, so that a client of another scope accepts the team key only under
   * a signature of a member whose fingerprint it checked (teamPublicKeyFromGrant).
   */
  async findSigningGrant(manager: EntityManager, scopeId: string, generation: number): Promise<HeldGrantRow | undefined> {
    const rows = (await manager.query(
      `SELECT ${HELD_GRANT_COLUMNS}
         FROM team_key_grants g
         JOIN team_key_generations t ON t.scope_id = g.scope_id AND t.generation = g.generation
         JOIN users granter ON granter.id = g.granter_id
        WHERE g.scope_id = $1 AND g.generation = $2
        ORDER BY (g.granter_id = g.recipient_id) DESC, g.created_at, g.id
        LIMIT 1`,
      [scopeId, generation],
    )) as HeldGrantRow[];
    return rows[0];
  }

  async findHistoryLinks(manager: EntityManager, scope: TeamScopeId): Promise<HistoryLink[]> {
    const rows = (await manager.query(
      `SELECT history_link FROM team_key_generations
        WHERE scope_id = $1 AND history_link IS NOT NULL ORDER BY generation DESC`,
      [scope],
    )) as { history_link: HistoryLink }[];
    return rows.map((row) => row.history_link);
  }

  /**
   * One page of the scope's data keys by keyId (keyset pagination), each with its newest
   * wrap: while a rotation is in progress a key may have two, and a reader gets the newer.
   */
  async findWrapsPage(manager: EntityManager, scope: TeamScopeId, after: string | undefined, limit: number): Promise<StoredDataKeyWrap[]> {
    const rows = (await manager.query(
      `SELECT DISTINCT ON (key_id) ${WRAP_COLUMNS} FROM data_key_wraps
        WHERE scope_id = $1 AND ($2::uuid IS NULL OR key_id > $2::uuid)
        ORDER BY key_id, generation DESC LIMIT $3`,
      [scope, after ?? null, limit],
    )) as WrapRow[];
    return rows.map(toStoredDataKeyWrap);
  }

  /** The scope's stored wraps of `keyIds` (every generation), row-locked for re-signing (other scopes' key ids are simply absent). */
  async lockWraps(manager: EntityManager, scope: TeamScopeId, keyIds: readonly string[]): Promise<StoredDataKeyWrap[]> {
    const rows = (await manager.query(
      `SELECT ${WRAP_COLUMNS} FROM data_key_wraps
        WHERE scope_id = $1 AND key_id = ANY($2::uuid[]) ORDER BY key_id, generation FOR UPDATE`,
      [scope, keyIds],
    )) as WrapRow[];
    return rows.map(toStoredDataKeyWrap);
  }

  /**
   * Stores the writer's signatures on unsigned wraps of the scope's `generation`; a wrap
   * signed meanwhile, or of another generation, is left alone (absent from the count).
   */
  async signWraps(
    manager: EntityManager,
    scope: TeamScopeId,
    generation: number,
    writerId: string,
    signatures: readonly { keyId: string; signature: string }[],
  ): Promise<number> {
    const [, affected] = (await manager.query(
      `UPDATE data_key_wraps w SET writer_id = $3, signature = v.signature
         FROM unnest($4::uuid[], $5::text[]) AS v(key_id, signature)
        WHERE w.scope_id = $1 AND w.generation = $2 AND w.key_id = v.key_id AND w.signature IS NULL`,
      [scope, generation, writerId, signatures.map((s) => s.keyId), signatures.map((s) => s.signature)],
    )) as [unknown, number];
    return affected;
  }
}

function toSealedDataKey(row: WrapRow): SealedDataKey {
  return { keyId: row.key_id, scopeId: row.scope_id, generation: row.generation, sealed: row.sealed };
}

export function toStoredDataKeyWrap(row: WrapRow): StoredDataKeyWrap {
  return {
    ...toSealedDataKey(row),
    entity: row.entity,
    recordId: row.record_id,
    writerUserId: row.writer_id,
    signature: row.signature,
  };
}
