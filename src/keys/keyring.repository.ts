/**
 * The SQL of the keyring: the data keys sealed to a scope (`data_key_wraps`) as features
 * that seal records write, read, move and shred them, and the current-generation check
 * every wrap write makes. Every method is `(manager, scope, …)`: the scope is a condition
 * of each statement, so another scope's wrap is simply not found.
 *
 * The generation check. The current generation of a scope is the one row of
 * team_key_generations with `superseded_at IS NULL`. A writer of a new wrap takes that
 * row `FOR SHARE` in the statement that inserts the wrap (currentGenerationCte), so
 * writers do not wait for each other; a rotation's start UPDATEs that row
 * (supersedeGeneration in keys.repository.ts) before inserting the next generation, so it
 * waits for writers in flight, and writers arriving after it wait for the rotation, then
 * find the row superseded and insert nothing (the feature answers 409 stale-generation).
 * No wrap of a superseded generation can therefore be written once a rotation started.
 *
 * This module decides nothing (keyring.service.ts does), opens no transaction and
 * interprets no key material: it stores and returns strings it cannot open.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ScopeType } from '../contract/roles';
import type { TeamScopeId } from '../common/authz/scope';
import type { SignedDataKeyWrap } from '../crypto/data-key-wrap-payload';
import { currentGenerationCte } from './keyring.statements';

/** The scope's current generation, as the generation check read it. */
export interface CurrentGenerationRow {
  scope_id: string;
  generation: number;
  scope_type: ScopeType;
}

/** A record's wrap as a reader gets it, with its writer's served keys (null for an unsigned wrap). */
export interface RecordWrapRow {
  wrap_key_id: string;
  wrap_scope_id: string;
  wrap_generation: number;
  wrap_sealed: string;
  wrap_entity: string;
  wrap_record_id: string;
  wrap_writer_id: string | null;
  wrap_signature: string | null;
  wrap_writer_sign_public_key: string | null;
  wrap_writer_box_public_key: string | null;
  wrap_writer_fingerprint: string | null;
}

const KEYRING_LOCK_SQL = `SELECT pg_advisory_xact_lock(hashtextextended('egide:keyring:' || $1::text, 0))`;

const LOCK_CURRENT_GENERATION_SQL = currentGenerationCte('$1');

/**
 * Inserts the wraps sealed to $1 whose generation is the scope's current one; the others
 * (and every wrap, if the scope has no team) are left out: the caller compares counts.
 */
const INSERT_WRAPS_SQL = `WITH current_generation AS (${currentGenerationCte('$1')})
  INSERT INTO data_key_wraps (key_id, scope_id, generation, sealed, entity, record_id, writer_id, signature)
  SELECT v.key_id, current_generation.scope_id, v.generation, v.sealed, v.entity, v.record_id, v.writer_id, v.signature
    FROM unnest($2::uuid[], $3::int[], $4::text[], $5::text[], $6::uuid[], $7::uuid[], $8::text[])
         AS v(key_id, generation, sealed, entity, record_id, writer_id, signature)
    JOIN current_generation ON current_generation.generation = v.generation
  RETURNING key_id`;

const RECORD_WRAPS_SQL = `SELECT r.record_id AS requested_record_id, w.*
    FROM unnest($3::uuid[]) AS r(record_id)
    JOIN LATERAL (
      SELECT w.key_id AS wrap_key_id, w.scope_id AS wrap_scope_id, w.generation AS wrap_generation, w.sealed AS wrap_sealed,
             w.entity AS wrap_entity, w.record_id AS wrap_record_id, w.writer_id AS wrap_writer_id, w.signature AS wrap_signature,
             writer.sign_public_key AS wrap_writer_sign_public_key, writer.box_public_key AS wrap_writer_box_public_key,
             writer.fingerprint AS wrap_writer_fingerprint
        FROM data_key_wraps w
        LEFT JOIN users writer ON writer.id = w.writer_id
       WHERE w.scope_id = $1 AND w.entity = $2 AND w.record_id = r.record_id
       ORDER BY w.generation DESC
       LIMIT 1) w ON true`;

const DELETE_RECORD_WRAPS_SQL = `DELETE FROM data_key_wraps WHERE scope_id = $1 AND entity = $2 AND record_id = $3`;

/**
 * Every scope's wraps of the record, provided the record has one in $1: a feature shreds
 * only a record its scope holds, and a bug in the caller cannot erase another scope's
 * record through this statement.
 */
const SHRED_RECORD_WRAPS_SQL = `DELETE FROM data_key_wraps w
   WHERE w.entity = $2 AND w.record_id = $3
     AND EXISTS (SELECT 1 FROM data_key_wraps own WHERE own.scope_id = $1 AND own.entity = $2 AND own.record_id = $3)`;

@Injectable()
export class KeyringRepository {
  /**
   * Serialises the writers of one scope's keyring that must see a set of wraps that
   * cannot change under them (grants, a rotation's start, chunks and completion, moves
   * and shreds), until the transaction ends. Creating a record does not need it: the
   * generation check is enough there.
   */
  async lockKeyring(manager: EntityManager, scope: TeamScopeId): Promise<void> {
    await manager.query(KEYRING_LOCK_SQL, [scope]);
  }

  /** The scope's current generation, row-locked FOR SHARE until the transaction ends; undefined: no team yet. */
  async lockCurrentGeneration(manager: EntityManager, scope: TeamScopeId): Promise<CurrentGenerationRow | undefined> {
    const rows = (await manager.query(LOCK_CURRENT_GENERATION_SQL, [scope])) as CurrentGenerationRow[];
    return rows[0];
  }

  /** The wraps (all sealed to `scope`) of the current generation inserted; returns the key ids written. */
  async insertWraps(manager: EntityManager, scope: TeamScopeId, wraps: readonly SignedDataKeyWrap[]): Promise<string[]> {
    if (wraps.length === 0) return [];
    const rows = (await manager.query(INSERT_WRAPS_SQL, [
      scope,
      wraps.map((w) => w.keyId.toLowerCase()),
      wraps.map((w) => w.generation),
      wraps.map((w) => w.sealed),
      wraps.map((w) => w.entity),
      wraps.map((w) => w.recordId.toLowerCase()),
      wraps.map((w) => w.writerUserId.toLowerCase()),
      wraps.map((w) => w.signature),
    ])) as { key_id: string }[];
    return rows.map((row) => row.key_id);
  }

  /** The newest wrap in `scope` of each record of `entity` among `recordIds` that has one. */
  async findRecordWraps(
    manager: EntityManager,
    scope: TeamScopeId,
    entity: string,
    recordIds: readonly string[],
  ): Promise<(RecordWrapRow & { requested_record_id: string })[]> {
    if (recordIds.length === 0) return [];
    return (await manager.query(RECORD_WRAPS_SQL, [scope, entity, recordIds])) as (RecordWrapRow & { requested_record_id: string })[];
  }

  /** The scope's wraps of the record, every generation; returns how many went. */
  async deleteRecordWraps(manager: EntityManager, scope: TeamScopeId, entity: string, recordId: string): Promise<number> {
    const [, deleted] = (await manager.query(DELETE_RECORD_WRAPS_SQL, [scope, entity, recordId])) as [unknown, number];
    return deleted;
  }

  /** Every scope's wraps of a record `scope` holds; returns how many went. */
  async shredRecordWraps(manager: EntityManager, scope: TeamScopeId, entity: string, recordId: string): Promise<number> {
    const [, deleted] = (await manager.query(SHRED_RECORD_WRAPS_SQL, [scope, entity, recordId])) as [unknown, number];
    return deleted;
  }

  /** Any team-holding scope's current generation (to seal to a scope one is not in), locked FOR SHARE. */
  async lockReceivingGeneration(manager: EntityManager, scopeId: string): Promise<CurrentGenerationRow | undefined> {
    const rows = (await manager.query(LOCK_CURRENT_GENERATION_SQL, [scopeId])) as CurrentGenerationRow[];
    return rows[0];
  }
}
