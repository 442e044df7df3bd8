/**
 * The keyring's SQL fragments that other features compose into their own single
 * statements (keys owns data_key_wraps and team_key_generations; this file is the only
 * SQL of those tables outside keys/): the current-generation lock a record's creation
 * takes, the wrap insert of a record just written, and the reader's wrap of a record.
 * Writing them once here keeps every feature's hot path at one round trip without
 * copying the keyring's rules (keyring.repository.ts explains the generation lock).
 *
 * They must never take a value from a request into SQL text: only parameter numbers and
 * column expressions of the calling statement.
 */
import type { SignedDataKeyWrap } from '../crypto/data-key-wrap-payload';

/**
 * Building block: a CTE body selecting the scope's current generation row `FOR SHARE`
 * (columns `scope_id, generation, scope_type`), the scope id being the parameter
 * `scopeParam` (e.g. `$3`). Use it as `WITH current_generation AS (${currentGenerationCte('$3')}) INSERT … SELECT … FROM
 * current_generation WHERE current_generation.generation = $n`: the insert writes nothing
 * if the generation is not (or no longer) current. This is the one lock a single-statement
 * record creation must take against rotation.
 */
export function currentGenerationCte(scopeParam: string): string {
  return `SELECT scope_id, generation, scope_type FROM team_key_generations
           WHERE scope_id = ${scopeParam}::uuid AND superseded_at IS NULL FOR SHARE`;
}

/**
 * Building block: a LATERAL subquery giving a record's wrap as a reader of `scopeExpr`
 * gets it — the newest generation's, when a rotation in progress keeps two — with its
 * writer's served keys. Columns: wrap_key_id, wrap_scope_id, wrap_generation, wrap_sealed,
 * wrap_entity, wrap_record_id, wrap_writer_id, wrap_signature, wrap_writer_sign_public_key,
 * wrap_writer_box_public_key, wrap_writer_fingerprint. Use as
 * `LEFT JOIN LATERAL (${recordWrapLateral('c.key_id', 'c.embassy_id')}) w ON true`.
 */
export function recordWrapLateral(keyIdExpr: string, scopeExpr: string): string {
  return `SELECT w.key_id AS wrap_key_id, w.scope_id AS wrap_scope_id, w.generation AS wrap_generation, w.sealed AS wrap_sealed,
                 w.entity AS wrap_entity, w.record_id AS wrap_record_id, w.writer_id AS wrap_writer_id, w.signature AS wrap_signature,
                 writer.sign_public_key AS wrap_writer_sign_public_key, writer.box_public_key AS wrap_writer_box_public_key,
                 writer.fingerprint AS wrap_writer_fingerprint
            FROM data_key_wraps w
            LEFT JOIN users writer ON writer.id = w.writer_id
           WHERE w.key_id = ${keyIdExpr} AND w.scope_id = ${scopeExpr}
           ORDER BY w.generation DESC
           LIMIT 1`;
}

/** The parameters of one signed wrap, for `insertWrapFrom`. */
export function wrapParameters(wrap: SignedDataKeyWrap): [string, string, number, string, string, string, string, string] {
  return [
    wrap.keyId.toLowerCase(),
    wrap.scopeId.toLowerCase(),
    wrap.generation,
    wrap.sealed,
    wrap.entity,
    wrap.recordId.toLowerCase(),
    wrap.writerUserId.toLowerCase(),
    wrap.signature,
  ];
}

/**
 * Building block: `INSERT INTO data_key_wraps … SELECT … FROM <source>` — one signed wrap
 * (parameters from `firstParameter`, in `wrapParameters` order) per row of the source,
 * the record the same statement just wrote. The generation must have been checked in
 * the same statement (`currentGenerationCte`): the source writes no row when it was not.
 */
export function insertWrapFrom(source: string, firstParameter: number): string {
  const p = (offset: number): string => `$${firstParameter + offset}`;
  return `INSERT INTO data_key_wraps (key_id, scope_id, generation, sealed, entity, record_id, writer_id, signature)
          SELECT ${p(0)}::uuid, ${p(1)}::uuid, ${p(2)}::int, ${p(3)}, ${p(4)}, ${p(5)}::uuid, ${p(6)}::uuid, ${p(7)} FROM ${source}`;
}
