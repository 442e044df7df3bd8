/**
 * Every SQL query of the key directory and team keys: users' public keys, team key
 * generations, grants and the data keys sealed to a scope. Every method that touches
 * scoped data takes the scope id as a required parameter and puts it in the WHERE of
 * reads and writes alike; "another scope" and "missing" therefore come back the same.
 *
 * Writes that concurrency could break are decided by PostgreSQL: the primary key of
 * team_key_generations (one generation g per scope, ever), the unique grant per
 * (scope, generation, recipient), and a per-scope transaction lock (lockScopeKeyring)
 * that every writer of a scope's keyring takes, so that a rotation compares the set of
 * wrapped data keys against a set that cannot change under it.
 *
 * This module must never decide who may do what (keys.service.ts does) and never
 * interpret key material: it stores and returns strings it cannot open.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { QueryFailedError, type DataSource, type EntityManager } from 'typeorm';
import { COORDINATORS_NETWORK_ID, type Role, type ScopeType } from '../common/authz/roles';
import type { SignedDataKeyWrap, StoredDataKeyWrap } from '../crypto/data-key-wrap-payload';
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
  scopeId: string;
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

interface WrapRow {
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

export function isUniqueViolation(error: unknown): boolean {
  return error instanceof QueryFailedError && (error.driverError as { code?: unknown }).code === '23505';
}

@Injectable()
export class KeysRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /**
   * Serialises every writer of one scope's keyring until the transaction ends: grants,
   * rotations, and (for the case feature) anything that adds a data key wrap, which must
   * take this lock and then check that it seals to the current generation.
   */
  async lockScopeKeyring(manager: EntityManager, scopeId: string): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('egide:keyring:' || $1::text, 0))`, [scopeId]);
  }

  /** A user's public keys, only if they are a key-holding member of `scopeId`. */
  async findMemberKeys(scopeId: string, userId: string, manager: EntityManager = this.dataSource.manager): Promise<MemberKeysRow | undefined> {
    const rows = (await manager.query(
      `SELECT ${MEMBER_COLUMNS} FROM users u WHERE u.id = $2 AND ${memberOfScope('u', '$1::uuid')}`,
      [scopeId, userId],
    )) as MemberKeysRow[];
    return rows[0];
  }

  /** Any user of a key-holding role, whatever their scope (public keys only; ADMIN and AUDITOR never). */
  async findKeyHolder(userId: string): Promise<MemberKeysRow | undefined> {
    const rows = (await this.dataSource.query(
      `SELECT ${MEMBER_COLUMNS} FROM users u WHERE u.id = $1 AND u.role IN ('EMBASSY_CONTACT', 'NGO', 'COORDINATOR')`,
      [userId],
    )) as MemberKeysRow[];
    return rows[0];
  }

  /** The eligible (active, MFA) key-holding members of `scopeId` among `userIds`. */
  async findEligibleMembers(manager: EntityManager, scopeId: string, userIds: readonly string[]): Promise<MemberKeysRow[]> {
    return (await manager.query(
      `SELECT ${MEMBER_COLUMNS} FROM users u
        WHERE u.id = ANY($2::uuid[]) AND ${memberOfScope('u', '$1::uuid')} AND ${eligible('u')}`,
      [scopeId, userIds],
    )) as MemberKeysRow[];
  }

  async findCurrentGeneration(scopeId: string, manager: EntityManager = this.dataSource.manager): Promise<GenerationRow | undefined> {
    const rows = (await manager.query(
      `SELECT ${GENERATION_COLUMNS} FROM team_key_generations WHERE scope_id = $1 ORDER BY generation DESC LIMIT 1`,
      [scopeId],
    )) as GenerationRow[];
    return rows[0];
  }

  /** Generation 1, unless the scope already has one: PostgreSQL's primary key decides a race. */
  async insertFirstGeneration(manager: EntityManager, generation: NewGeneration): Promise<GenerationRow | undefined> {
    const rows = (await manager.query(
      `INSERT INTO team_key_generations (scope_id, generation, scope_type, team_box_public_key, fingerprint, history_link, created_by)
       VALUES ($1, 1, $2, $3, $4, NULL, $5)
       ON CONFLICT (scope_id, generation) DO NOTHING
       RETURNING ${GENERATION_COLUMNS}`,
      [generation.scopeId, generation.scopeType, generation.teamBoxPublicKey, generation.fingerprint, generation.createdBy],
    )) as GenerationRow[];
    return rows[0];
  }

  /** A later generation; a concurrent insert of the same one fails with a unique violation. */
  async insertGeneration(manager: EntityManager, generation: NewGeneration): Promise<GenerationRow> {
    const rows = (await manager.query(
      `INSERT INTO team_key_generations (scope_id, generation, scope_type, team_box_public_key, fingerprint, history_link, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       RETURNING ${GENERATION_COLUMNS}`,
      [
        generation.scopeId,
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
  async insertGrants(manager: EntityManager, scopeId: string, generation: number, grants: readonly NewGrant[]): Promise<InsertedGrantRow[]> {
    return (await manager.query(
      `INSERT INTO team_key_grants (scope_id, generation, version, recipient_id, granter_id, recipient_box_public_key, recipient_sign_public_key,
                                    sealed_team_seed, signature)
       SELECT $1, $2, g.version, g.recipient_id, g.granter_id, g.recipient_box_public_key, g.recipient_sign_public_key, g.sealed_team_seed, g.signature
         FROM unnest($3::smallint[], $4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::text[], $9::text[])
              AS g(version, recipient_id, granter_id, recipient_box_public_key, recipient_sign_public_key, sealed_team_seed, signature)
       ON CONFLICT (scope_id, generation, recipient_id) DO NOTHING
       RETURNING recipient_id, created_at`,
      [
        scopeId,
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

  async holdsGeneration(manager: EntityManager, scopeId: string, generation: number, userId: string): Promise<boolean> {
    const rows = (await manager.query(
      `SELECT 1 FROM team_key_grants WHERE scope_id = $1 AND generation = $2 AND recipient_id = $3`,
      [scopeId, generation, userId],
    )) as unknown[];
    return rows.length === 1;
  }

  /** Eligible members of the scope with no grant for `generation`, the oldest `limit`. */
  async findPendingMembers(scopeId: string, generation: number, limit: number): Promise<MemberKeysRow[]> {
    return (await this.dataSource.query(
      `SELECT ${MEMBER_COLUMNS} FROM users u
        WHERE ${memberOfScope('u', '$1::uuid')} AND ${eligible('u')}
          AND NOT EXISTS (SELECT 1 FROM team_key_grants g
                           WHERE g.scope_id = $1 AND g.generation = $2 AND g.recipient_id = u.id)
        ORDER BY u.created_at, u.id
        LIMIT $3`,
      [scopeId, generation, limit],
    )) as MemberKeysRow[];
  }

  /**
   * Eligible members of the scope holding `generation`: whom a rotation must re-grant.
   * Without `limit` (the rotation's own check) every one of them, whatever their number.
   */
  async findHolders(
    scopeId: string,
    generation: number,
    manager: EntityManager = this.dataSource.manager,
    limit: number | null = null,
  ): Promise<MemberKeysRow[]> {
    return (await manager.query(
      `SELECT ${MEMBER_COLUMNS} FROM users u
         JOIN team_key_grants g ON g.recipient_id = u.id AND g.scope_id = $1 AND g.generation = $2
        WHERE ${memberOfScope('u', '$1::uuid')} AND ${eligible('u')}
        ORDER BY u.created_at, u.id
        LIMIT $3`,
      [scopeId, generation, limit],
    )) as MemberKeysRow[];
  }

  /** The user's grants in the scope, newest generation first, with the granters' public keys. */
  async findHeldGrants(scopeId: string, userId: string): Promise<HeldGrantRow[]> {
    return (await this.dataSource.query(
      `SELECT ${HELD_GRANT_COLUMNS}
         FROM team_key_grants g
         JOIN team_key_generations t ON t.scope_id = g.scope_id AND t.generation = g.generation
         JOIN users granter ON granter.id = g.granter_id
        WHERE g.scope_id = $1 AND g.recipient_id = $2
        ORDER BY g.generation DESC`,
      [scopeId, userId],
    )) as HeldGrantRow[];
  }

  /**
   * One grant of the scope's `generation`, preferably a member's grant to themself: the
   * directory returns it so that a client of another scope accepts the team key only
   * under a signature of a member whose fingerprint it checked (teamPublicKeyFromGrant).
   */
  async findSigningGrant(scopeId: string, generation: number): Promise<HeldGrantRow | undefined> {
    const rows = (await this.dataSource.query(
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

  async findHistoryLinks(scopeId: string): Promise<HistoryLink[]> {
    const rows = (await this.dataSource.query(
      `SELECT history_link FROM team_key_generations
        WHERE scope_id = $1 AND history_link IS NOT NULL ORDER BY generation DESC`,
      [scopeId],
    )) as { history_link: HistoryLink }[];
    return rows.map((row) => row.history_link);
  }

  /** One page of the scope's data key wraps, by keyId (keyset pagination on the primary key). */
  async findWrapsPage(scopeId: string, after: string | undefined, limit: number): Promise<StoredDataKeyWrap[]> {
    const rows = (await this.dataSource.query(
      `SELECT ${WRAP_COLUMNS} FROM data_key_wraps
        WHERE scope_id = $1 AND ($2::uuid IS NULL OR key_id > $2::uuid)
        ORDER BY key_id LIMIT $3`,
      [scopeId, after ?? null, limit],
    )) as WrapRow[];
    return rows.map(toStoredDataKeyWrap);
  }

  /**
   * The wraps of `keyIds` sealed to `scopeId` (for the case feature: a record's data
   * keys as the caller's scope may open them). Key ids of another scope are simply absent.
   */
  async sealedKeysForScope(
    scopeId: string,
    keyIds: readonly string[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<SealedDataKey[]> {
    if (keyIds.length === 0) return [];
    const rows = (await manager.query(
      `SELECT key_id, scope_id, generation, sealed FROM data_key_wraps
        WHERE scope_id = $1 AND key_id = ANY($2::uuid[]) ORDER BY key_id`,
      [scopeId, keyIds],
    )) as WrapRow[];
    return rows.map(toSealedDataKey);
  }

  /**
   * Compares, in SQL, the scope's wrapped key ids with `keyIds`: how many wraps the
   * rotation left out and how many submitted key ids the scope does not have.
   */
  async compareWrappedKeySet(manager: EntityManager, scopeId: string, keyIds: readonly string[]): Promise<{ missing: number; extra: number }> {
    const rows = (await manager.query(
      `WITH submitted AS (SELECT DISTINCT unnest($2::uuid[]) AS key_id)
       SELECT (SELECT count(*) FROM data_key_wraps w
                WHERE w.scope_id = $1 AND NOT EXISTS (SELECT 1 FROM submitted s WHERE s.key_id = w.key_id))::int AS missing,
              (SELECT count(*) FROM submitted s
                WHERE NOT EXISTS (SELECT 1 FROM data_key_wraps w WHERE w.scope_id = $1 AND w.key_id = s.key_id))::int AS extra`,
      [scopeId, keyIds],
    )) as { missing: number; extra: number }[];
    return rows[0];
  }

  /**
   * The submitted wraps (by index) whose entity or record differ from the stored wrap of
   * the same key id in the scope: a rotation re-signs each key for the record it already
   * belongs to, never moves it. Key ids the scope does not have are not reported here.
   */
  async findRebindings(
    manager: EntityManager,
    scopeId: string,
    wraps: readonly SignedDataKeyWrap[],
  ): Promise<{ index: number; field: 'entity' | 'recordId' }[]> {
    if (wraps.length === 0) return [];
    const rows = (await manager.query(
      `SELECT v.ord::int - 1 AS index, CASE WHEN w.entity <> v.entity THEN 'entity' ELSE 'recordId' END AS field
         FROM unnest($2::uuid[], $3::text[], $4::uuid[]) WITH ORDINALITY AS v(key_id, entity, record_id, ord)
         JOIN data_key_wraps w ON w.scope_id = $1 AND w.key_id = v.key_id
        WHERE w.entity <> v.entity OR w.record_id <> v.record_id
        ORDER BY v.ord`,
      [scopeId, wraps.map((w) => w.keyId.toLowerCase()), wraps.map((w) => w.entity), wraps.map((w) => w.recordId.toLowerCase())],
    )) as { index: number; field: 'entity' | 'recordId' }[];
    return rows;
  }

  /**
   * Replaces the scope's wraps of these key ids with the re-sealed, re-signed ones (the
   * record columns stay: findRebindings checked they match); returns how many changed.
   */
  async replaceWraps(manager: EntityManager, scopeId: string, generation: number, wraps: readonly SignedDataKeyWrap[]): Promise<number> {
    if (wraps.length === 0) return 0;
    const [, affected] = (await manager.query(
      `UPDATE data_key_wraps w SET generation = $2, sealed = v.sealed, writer_id = v.writer_id, signature = v.signature
         FROM unnest($3::uuid[], $4::text[], $5::uuid[], $6::text[]) AS v(key_id, sealed, writer_id, signature)
        WHERE w.scope_id = $1 AND w.key_id = v.key_id`,
      [
        scopeId,
        generation,
        wraps.map((w) => w.keyId.toLowerCase()),
        wraps.map((w) => w.sealed),
        wraps.map((w) => w.writerUserId.toLowerCase()),
        wraps.map((w) => w.signature),
      ],
    )) as [unknown, number];
    return affected;
  }

  /** The scope's stored wraps of `keyIds` (another scope's key ids are simply absent), row-locked for re-signing. */
  async lockWraps(manager: EntityManager, scopeId: string, keyIds: readonly string[]): Promise<StoredDataKeyWrap[]> {
    const rows = (await manager.query(
      `SELECT ${WRAP_COLUMNS} FROM data_key_wraps
        WHERE scope_id = $1 AND key_id = ANY($2::uuid[]) ORDER BY key_id FOR UPDATE`,
      [scopeId, keyIds],
    )) as WrapRow[];
    return rows.map(toStoredDataKeyWrap);
  }

  /**
   * Stores the writer's signatures on unsigned wraps of the scope's `generation`; a wrap
   * signed meanwhile, or moved to another generation, is left alone (absent from the count).
   */
  async signWraps(
    manager: EntityManager,
    scopeId: string,
    generation: number,
    writerId: string,
    signatures: readonly { keyId: string; signature: string }[],
  ): Promise<number> {
    const [, affected] = (await manager.query(
      `UPDATE data_key_wraps w SET writer_id = $3, signature = v.signature
         FROM unnest($4::uuid[], $5::text[]) AS v(key_id, signature)
        WHERE w.scope_id = $1 AND w.generation = $2 AND w.key_id = v.key_id AND w.signature IS NULL`,
      [scopeId, generation, writerId, signatures.map((s) => s.keyId), signatures.map((s) => s.signature)],
    )) as [unknown, number];
    return affected;
  }

}

function toSealedDataKey(row: WrapRow): SealedDataKey {
  return { keyId: row.key_id, scopeId: row.scope_id, generation: row.generation, sealed: row.sealed };
}

function toStoredDataKeyWrap(row: WrapRow): StoredDataKeyWrap {
  return {
    ...toSealedDataKey(row),
    entity: row.entity,
    recordId: row.record_id,
    writerUserId: row.writer_id,
    signature: row.signature,
  };
}
