/**
 * The SQL of chunked, resumable rotations (docs/protocol.md §5.16): the rotation rows
 * (`team_key_rotations`), the pages of data keys still awaiting a rotation, the chunks of
 * re-sealed wraps and the completion. Every method is `(manager, scope, …)` with the
 * caller's branded scope in each statement's WHERE: another scope's rotation is not found.
 *
 * The invariants concurrency could break are PostgreSQL's: one rotation in progress per
 * scope (a partial unique index), one rotation per new generation (a unique key), a chunk
 * writes only while its rotation is IN_PROGRESS and only next to the previous
 * generation's wrap of the same key and record (both checked in the inserting statement),
 * and a rotation completes only when no key lacks a wrap of the new generation (checked in
 * the completing UPDATE).
 *
 * This module decides nothing (rotation.service.ts does) and opens no key material.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ScopeType } from '../contract/roles';
import type { TeamScopeId } from '../common/authz/scope';
import type { SignedDataKeyWrap, StoredDataKeyWrap } from '../crypto/data-key-wrap-payload';
import { toStoredDataKeyWrap, type WrapRow } from './keys.repository';
import type { RotationState } from './rotation-state';

/** A rotation with its new generation's public key, as the API returns it. */
export interface RotationRow {
  id: string;
  scope_id: string;
  scope_type: ScopeType;
  from_generation: number;
  to_generation: number;
  state: RotationState;
  started_by: string;
  data_keys_total: number;
  data_keys_resealed: number;
  chunks: number;
  started_at: Date;
  completed_at: Date | null;
  team_box_public_key: string;
  fingerprint: string;
  generation_created_at: Date;
  grants: number;
}

/** What one chunk did. `rotations` is 0 when the rotation was not (or no longer) in progress: nothing was written. */
export interface ChunkResultRow {
  rotations: number;
  resealed: number;
  gone: number;
}

const ROTATION_COLUMNS = `r.id, r.scope_id, t.scope_type, r.from_generation, r.to_generation, r.state, r.started_by,
  r.data_keys_total, r.data_keys_resealed, r.chunks, r.started_at, r.completed_at,
  t.team_box_public_key, t.fingerprint, t.created_at AS generation_created_at,
  (SELECT count(*) FROM team_key_grants g WHERE g.scope_id = r.scope_id AND g.generation = r.to_generation)::int AS grants`;

const ROTATION_FROM = `team_key_rotations r JOIN team_key_generations t ON t.scope_id = r.scope_id AND t.generation = r.to_generation`;

const WRAP_COLUMNS = `w.key_id, w.scope_id, w.generation, w.sealed, w.entity, w.record_id, w.writer_id, w.signature`;

/**
 * "The key of wrap `w` has a wrap of generation `generation`" as a scalar subquery: one
 * primary-key probe per row, whatever the planner believes. Written as NOT EXISTS, the
 * anti-join is planned from statistics that a rotation makes stale as it goes (the new
 * generation's rows look absent), and the plan it picked — a nested loop over the
 * materialised new generation — grew quadratic: 11 s for one page at 50,000 keys
 * re-sealed. Every statement here that relates a key's two wraps uses this probe.
 */
function wrapOf(alias: string, generation: string): string {
  return `(SELECT 1 FROM data_key_wraps n WHERE n.key_id = ${alias}.key_id AND n.scope_id = ${alias}.scope_id AND n.generation = ${generation} LIMIT 1)`;
}

/** "The key of wrap `w` (of the previous generation) has no wrap of the new one yet", for rotation `r`. */
const AWAITING = `${wrapOf('w', 'r.to_generation')} IS NULL`;

/** The data keys sealed to generation $2 when a rotation from it starts: the rotation's total. */
const INSERT_ROTATION_SQL = `INSERT INTO team_key_rotations (id, scope_id, from_generation, to_generation, state, started_by, data_keys_total)
  SELECT $2, $1, $3, $3 + 1, 'IN_PROGRESS', $4, (SELECT count(*) FROM data_key_wraps w WHERE w.scope_id = $1 AND w.generation = $3)
  RETURNING id`;

const FIND_ROTATION_SQL = `SELECT ${ROTATION_COLUMNS} FROM ${ROTATION_FROM} WHERE r.scope_id = $1 AND r.id = $2`;

const FIND_IN_PROGRESS_SQL = `SELECT ${ROTATION_COLUMNS} FROM ${ROTATION_FROM} WHERE r.scope_id = $1 AND r.state = 'IN_PROGRESS'`;

/**
 * A keyset page of the previous generation's wraps, by key id: the next `limit` of them
 * (the index (scope_id, generation, key_id) walks exactly those, in order), each marked
 * whether its key still awaits the new generation. The service answers the awaiting ones
 * and continues after the last one looked at, so a page costs `limit` index entries and
 * `limit` probes however far the rotation is.
 */
const PENDING_PAGE_SQL = `WITH candidates AS MATERIALIZED (
    SELECT ${WRAP_COLUMNS} FROM data_key_wraps w
     WHERE w.scope_id = $1 AND w.generation = $2 AND ($4::uuid IS NULL OR w.key_id > $4::uuid)
     ORDER BY w.key_id
     LIMIT $5)
  SELECT w.*, ${wrapOf('w', '$3')} IS NULL AS awaiting FROM candidates w ORDER BY w.key_id`;

/**
 * The chunk, in one statement: the rotation row is locked only if it is this scope's and
 * IN_PROGRESS; each re-sealed wrap is inserted for the new generation only next to the
 * previous generation's wrap of the same key, entity and record (a key shredded or moved
 * meanwhile is "gone"; a key already re-sealed is left as it is); the counters move.
 */
const INSERT_CHUNK_SQL = `WITH r AS (
    SELECT id, scope_id, from_generation, to_generation FROM team_key_rotations
     WHERE scope_id = $1 AND id = $2 AND state = 'IN_PROGRESS' FOR UPDATE),
  v AS (
    SELECT * FROM unnest($3::uuid[], $4::int[], $5::text[], $6::text[], $7::uuid[], $8::uuid[], $9::text[])
      AS v(key_id, generation, sealed, entity, record_id, writer_id, signature)),
  ins AS (
    INSERT INTO data_key_wraps (key_id, scope_id, generation, sealed, entity, record_id, writer_id, signature)
    SELECT v.key_id, r.scope_id, r.to_generation, v.sealed, old.entity, old.record_id, v.writer_id, v.signature
      FROM r
      JOIN v ON v.generation = r.to_generation
      JOIN LATERAL (SELECT o.entity, o.record_id FROM data_key_wraps o
                     WHERE o.key_id = v.key_id AND o.scope_id = r.scope_id AND o.generation = r.from_generation LIMIT 1) old
        ON old.entity = v.entity AND old.record_id = v.record_id
    ON CONFLICT (key_id, scope_id, generation) DO NOTHING
    RETURNING key_id),
  counted AS (SELECT count(*)::int AS resealed FROM ins),
  upd AS (
    UPDATE team_key_rotations t SET data_keys_resealed = t.data_keys_resealed + counted.resealed, chunks = t.chunks + 1
      FROM r, counted WHERE t.id = r.id
    RETURNING t.id)
  SELECT (SELECT count(*) FROM upd)::int AS rotations,
         (SELECT resealed FROM counted) AS resealed,
         (SELECT count(*) FROM v CROSS JOIN r
           WHERE (SELECT 1 FROM data_key_wraps o
                   WHERE o.key_id = v.key_id AND o.scope_id = r.scope_id AND o.generation = r.from_generation LIMIT 1) IS NULL)::int AS gone`;

/**
 * The submitted wraps (by index) whose entity or record differ from the previous
 * generation's wrap of the same key: a rotation re-signs each key for the record it
 * belongs to, never moves it. Key ids without such a wrap are not reported here.
 */
const REBINDINGS_SQL = `SELECT v.ord::int - 1 AS index, CASE WHEN w.entity <> v.entity THEN 'entity' ELSE 'recordId' END AS field
    FROM unnest($3::uuid[], $4::text[], $5::uuid[]) WITH ORDINALITY AS v(key_id, entity, record_id, ord)
    JOIN LATERAL (SELECT o.entity, o.record_id FROM data_key_wraps o
                   WHERE o.key_id = v.key_id AND o.scope_id = $1 AND o.generation = $2 LIMIT 1) w ON true
   WHERE w.entity <> v.entity OR w.record_id <> v.record_id
   ORDER BY v.ord`;

const COUNT_AWAITING_SQL = `SELECT count(*)::int AS awaiting
    FROM team_key_rotations r
    JOIN data_key_wraps w ON w.scope_id = r.scope_id AND w.generation = r.from_generation
   WHERE r.scope_id = $1 AND r.id = $2 AND ${AWAITING}`;

/** Completes the rotation if it is in progress and no key awaits it: the check is part of the UPDATE. */
const COMPLETE_SQL = `UPDATE team_key_rotations r SET state = 'COMPLETED', completed_at = now(), completed_by = $3
   WHERE r.scope_id = $1 AND r.id = $2 AND r.state = 'IN_PROGRESS'
     AND (SELECT 1 FROM data_key_wraps w
           WHERE w.scope_id = r.scope_id AND w.generation = r.from_generation AND ${AWAITING} LIMIT 1) IS NULL
  RETURNING r.id`;

/**
 * The older generations' wraps of the scope whose key now has a wrap of generation $2:
 * what readers no longer need once the rotation to $2 is complete.
 */
const DELETE_SUPERSEDED_WRAPS_SQL = `DELETE FROM data_key_wraps w
   WHERE w.scope_id = $1 AND w.generation < $2 AND ${wrapOf('w', '$2')} IS NOT NULL`;

const RECORD_DELETED_SQL = `UPDATE team_key_rotations SET old_wraps_deleted = $3 WHERE scope_id = $1 AND id = $2`;

@Injectable()
export class RotationRepository {
  /** A rotation from `fromGeneration` to the next one, IN_PROGRESS; a second in progress in the scope fails with a unique violation. */
  async insertRotation(manager: EntityManager, scope: TeamScopeId, rotation: { id: string; fromGeneration: number; startedBy: string }): Promise<void> {
    await manager.query(INSERT_ROTATION_SQL, [scope, rotation.id, rotation.fromGeneration, rotation.startedBy]);
  }

  async findRotation(manager: EntityManager, scope: TeamScopeId, rotationId: string): Promise<RotationRow | undefined> {
    const rows = (await manager.query(FIND_ROTATION_SQL, [scope, rotationId])) as RotationRow[];
    return rows[0];
  }

  async findInProgress(manager: EntityManager, scope: TeamScopeId): Promise<RotationRow | undefined> {
    const rows = (await manager.query(FIND_IN_PROGRESS_SQL, [scope])) as RotationRow[];
    return rows[0];
  }

  /**
   * The next `limit` wraps of `rotation`'s previous generation after key id `after`:
   * those still awaiting the new one, and the last key id looked at (undefined: none was,
   * the walk is over).
   */
  async findAwaitingPage(
    manager: EntityManager,
    scope: TeamScopeId,
    rotation: Pick<RotationRow, 'from_generation' | 'to_generation'>,
    after: string | undefined,
    limit: number,
  ): Promise<{ awaiting: StoredDataKeyWrap[]; looked: number; lastKeyId: string | undefined }> {
    const rows = (await manager.query(PENDING_PAGE_SQL, [scope, rotation.from_generation, rotation.to_generation, after ?? null, limit])) as (WrapRow & {
      awaiting: boolean;
    })[];
    return { awaiting: rows.filter((row) => row.awaiting).map(toStoredDataKeyWrap), looked: rows.length, lastKeyId: rows.at(-1)?.key_id };
  }

  async countAwaiting(manager: EntityManager, scope: TeamScopeId, rotationId: string): Promise<number> {
    const rows = (await manager.query(COUNT_AWAITING_SQL, [scope, rotationId])) as { awaiting: number }[];
    return rows[0].awaiting;
  }

  async findRebindings(
    manager: EntityManager,
    scope: TeamScopeId,
    fromGeneration: number,
    wraps: readonly SignedDataKeyWrap[],
  ): Promise<{ index: number; field: 'entity' | 'recordId' }[]> {
    if (wraps.length === 0) return [];
    return (await manager.query(REBINDINGS_SQL, [
      scope,
      fromGeneration,
      wraps.map((w) => w.keyId.toLowerCase()),
      wraps.map((w) => w.entity),
      wraps.map((w) => w.recordId.toLowerCase()),
    ])) as { index: number; field: 'entity' | 'recordId' }[];
  }

  async insertChunk(manager: EntityManager, scope: TeamScopeId, rotationId: string, wraps: readonly SignedDataKeyWrap[]): Promise<ChunkResultRow> {
    const rows = (await manager.query(INSERT_CHUNK_SQL, [
      scope,
      rotationId,
      wraps.map((w) => w.keyId.toLowerCase()),
      wraps.map((w) => w.generation),
      wraps.map((w) => w.sealed),
      wraps.map((w) => w.entity),
      wraps.map((w) => w.recordId.toLowerCase()),
      wraps.map((w) => w.writerUserId.toLowerCase()),
      wraps.map((w) => w.signature),
    ])) as ChunkResultRow[];
    return rows[0];
  }

  /** True when the rotation was in progress with no key awaiting it, and is now COMPLETED. */
  async complete(manager: EntityManager, scope: TeamScopeId, rotationId: string, completedBy: string): Promise<boolean> {
    const rows = (await manager.query(COMPLETE_SQL, [scope, rotationId, completedBy])) as [unknown[], number];
    return rows[1] === 1;
  }

  /** Deletes the wraps of generations before `generation` whose key has one of `generation`; records how many on the rotation. */
  async deleteSupersededWraps(manager: EntityManager, scope: TeamScopeId, rotationId: string, generation: number): Promise<number> {
    const [, deleted] = (await manager.query(DELETE_SUPERSEDED_WRAPS_SQL, [scope, generation])) as [unknown, number];
    await manager.query(RECORD_DELETED_SQL, [scope, rotationId, deleted]);
    return deleted;
  }
}
