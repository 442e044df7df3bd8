/**
 * Every SQL statement of the case feature. Every method takes `(manager, embassy, …)`:
 * the embassy is a branded EmbassyId that only the access check produces, and it is in
 * the WHERE of reads and writes alike, so another embassy's case and a missing one come
 * back the same (undefined → 404). Writes run on the transaction's manager, so that a
 * change and its audit event commit together; the hot paths are single statements that
 * carry their audit event (audit/audit-statements.ts): creating a case writes the case,
 * its reference, its wrap (keys/keyring.statements.ts), its blind indexes and its event
 * in one statement, and an audited read fails if its audit event cannot be written.
 *
 * This module decides nothing (cases.service.ts does) and interprets no sealed material:
 * it stores and returns envelopes, signatures and wraps it cannot open.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { actorParameters, auditEventFrom, type AuditingActor } from '../audit/audit.statements';
import type { EmbassyId } from '../common/authz/scope';
import type { SealedFieldEntry } from '../crypto/revision-payload';
import type { SignedDataKeyWrap } from '../crypto/data-key-wrap-payload';
import { currentGenerationCte, insertWrapFrom, recordWrapLateral, wrapParameters } from '../keys/keyring.statements';
import type { BlindIndexEntry } from '../sealed-records/sealed-material.checks';
import type { CaseStatus } from '../contract/case-vocabulary';
import type { CaseEventDetails } from './case-event.entity';
import type { BlindIndexField, CaseEventType, DefenderGroup, RiskLevel, ThreatType } from '../contract/case-vocabulary';

/** The clear columns of a case, as every statement selects them. */
const CASE_COLUMNS = `c.id, c.reference, c.embassy_id, c.status, c.risk_level, c.threat_types, c.defender_groups,
  c.country_of_activity, c.assigned_to_id, c.next_review_at, c.version, c.revision, c.consent_to_transfer,
  c.consent_to_transfer_at, c.consent_to_refuge_sharing, c.consent_to_refuge_sharing_at, c.key_id,
  c.created_at, c.updated_at, c.shredded_at`;

export interface CaseRow {
  id: string;
  reference: string;
  embassy_id: string;
  status: CaseStatus;
  risk_level: RiskLevel;
  threat_types: ThreatType[];
  defender_groups: DefenderGroup[];
  country_of_activity: string;
  assigned_to_id: string | null;
  next_review_at: Date | null;
  version: number;
  revision: number;
  consent_to_transfer: boolean;
  consent_to_transfer_at: Date | null;
  consent_to_refuge_sharing: boolean;
  consent_to_refuge_sharing_at: Date | null;
  key_id: string;
  created_at: Date;
  updated_at: Date;
  shredded_at: Date | null;
}

/** A case with its sealed content as the caller's embassy may open it. */
export interface SealedCaseRow extends CaseRow {
  envelopes: SealedFieldEntry[] | null;
  revision_author_id: string;
  revision_signature: string | null;
  author_sign_public_key: string;
  author_box_public_key: string;
  author_fingerprint: string;
  wrap_generation: number | null;
  wrap_sealed: string | null;
  wrap_entity: string | null;
  wrap_record_id: string | null;
  wrap_writer_id: string | null;
  wrap_signature: string | null;
  wrap_writer_sign_public_key: string | null;
  wrap_writer_box_public_key: string | null;
  wrap_writer_fingerprint: string | null;
}

export interface CaseEventRow {
  id: string;
  case_id: string;
  type: CaseEventType;
  body: string | null;
  signature: string | null;
  details: CaseEventDetails;
  created_at: Date;
  author_id: string;
  author_sign_public_key: string;
  author_box_public_key: string;
  author_fingerprint: string;
}

/** One page of a timeline, with what the reader needs of its case. */
export interface CaseTimelineRows {
  keyId: string;
  shreddedAt: Date | null;
  events: CaseEventRow[];
}

export interface NewCase {
  id: string;
  status: CaseStatus;
  riskLevel: RiskLevel;
  threatTypes: readonly ThreatType[];
  defenderGroups: readonly DefenderGroup[];
  countryOfActivity: string;
  nextReviewAt: Date | null;
  consentToTransfer: boolean;
  consentToRefugeSharing: boolean;
  keyId: string;
  envelopes: readonly SealedFieldEntry[];
  authorId: string;
  signature: string;
  wrap: SignedDataKeyWrap;
  blindIndexes: readonly BlindIndexEntry[];
  now: Date;
}

/** What an update changes; undefined leaves a column as it is. */
export interface CaseChanges {
  riskLevel?: RiskLevel;
  threatTypes?: readonly ThreatType[];
  defenderGroups?: readonly DefenderGroup[];
  countryOfActivity?: string;
  /** null clears the review date; undefined keeps it. */
  nextReviewAt?: Date | null;
  consentToTransfer?: boolean;
  consentToRefugeSharing?: boolean;
  /** A new signed revision: `revision` must be the current one + 1. */
  sealed?: { revision: number; envelopes: readonly SealedFieldEntry[]; authorId: string; signature: string };
}

export interface NewCaseEvent {
  id: string;
  caseId: string;
  type: CaseEventType;
  body: string | null;
  authorId: string;
  signature: string | null;
  details: CaseEventDetails;
  now: Date;
}

export interface CaseFilters {
  status?: CaseStatus;
  riskLevel?: RiskLevel;
  threatType?: ThreatType;
  defenderGroup?: DefenderGroup;
  country?: string;
  assigneeId?: string;
  reviewDueBefore?: Date;
}

export interface DuplicateRow {
  case_id: string;
  reference: string;
  matches: number;
}

/** A (created_at, id) keyset position. */
export interface TimeCursor {
  createdAt: Date;
  id: string;
}

/** The reference of the n-th case of an embassy in a year: `KE-2026-0042` (at least four digits, never truncated). */
const REFERENCE_OF = (country: string, year: string, number: string): string =>
  `${country} || '-' || ${year} || '-' || lpad(${number}::text, greatest(4, length(${number}::text)), '0')`;

/**
 * Creating a case, in one statement: the wrap's generation is checked and locked
 * (keys/keyring.statements.ts), the embassy's reference counter moves (its row lock is held
 * for this statement only, not a transaction), then the case, its wrap, its blind
 * indexes and its audit event are written. Zero rows: the generation check failed.
 * Parameters: $1–$16 the case, $17–$24 the wrap, $25–$26 blind indexes, $27–$30 the actor.
 */
const CREATE_CASE = `WITH g AS (${currentGenerationCte('$3')}),
  n AS (
    INSERT INTO case_reference_counters AS k (embassy_id, year, last)
    SELECT $3::uuid, $2::int, 1 FROM g WHERE g.generation = $19::int
    ON CONFLICT (embassy_id, year) DO UPDATE SET last = k.last + 1
    RETURNING last),
  c AS (
    INSERT INTO cases AS c (id, reference, embassy_id, status, risk_level, threat_types, defender_groups, country_of_activity,
           next_review_at, version, consent_to_transfer, consent_to_transfer_at, consent_to_refuge_sharing,
           consent_to_refuge_sharing_at, key_id, envelopes, revision, revision_author_id, revision_signature,
           created_by, created_at, updated_at)
    SELECT $1::uuid, ${REFERENCE_OF('e.country', '$2::int', 'n.last')}, $3::uuid, $4, $5, $6::text[], $7::text[], $8,
           $9::timestamptz, 1, $10::boolean, CASE WHEN $10::boolean THEN $16::timestamptz END, $11::boolean,
           CASE WHEN $11::boolean THEN $16::timestamptz END, $12::uuid, $13::jsonb, 1, $14::uuid, $15, $14::uuid, $16::timestamptz, $16::timestamptz
      FROM n CROSS JOIN embassies e WHERE e.id = $3::uuid
    RETURNING ${CASE_COLUMNS}),
  w AS (${insertWrapFrom('c', 17)}),
  b AS (
    INSERT INTO case_blind_indexes (case_id, embassy_id, field_id, value)
    SELECT c.id, c.embassy_id, v.field_id, v.value FROM c CROSS JOIN unnest($25::text[], $26::text[]) AS v(field_id, value)
    ON CONFLICT DO NOTHING),
  a AS (${auditEventFrom({
    source: 'c',
    action: 'case.created',
    targetType: 'case',
    targetId: 'c.id::text',
    scopeType: 'EMBASSY',
    scopeId: 'c.embassy_id',
    details: `jsonb_build_object('reference', c.reference, 'revision', 1)`,
    parametersBefore: 26,
  })})
  SELECT * FROM c`;

const READ_SEALED_CASE = `WITH r AS (
    SELECT ${CASE_COLUMNS}, c.envelopes, c.revision_author_id, c.revision_signature,
           u.sign_public_key AS author_sign_public_key, u.box_public_key AS author_box_public_key, u.fingerprint AS author_fingerprint,
           w.wrap_generation, w.wrap_sealed, w.wrap_entity, w.wrap_record_id, w.wrap_writer_id, w.wrap_signature,
           w.wrap_writer_sign_public_key, w.wrap_writer_box_public_key, w.wrap_writer_fingerprint
      FROM cases c
      JOIN users u ON u.id = c.revision_author_id
      LEFT JOIN LATERAL (${recordWrapLateral('c.key_id', 'c.embassy_id')}) w ON true
     WHERE c.embassy_id = $1 AND c.id = $2),
  a AS (${auditEventFrom({
    source: 'r',
    action: 'case.read',
    targetType: 'case',
    targetId: 'r.id::text',
    scopeType: 'EMBASSY',
    scopeId: 'r.embassy_id',
    details: `jsonb_build_object('revision', r.revision, 'shredded', r.shredded_at IS NOT NULL)`,
    parametersBefore: 2,
  })})
  SELECT * FROM r`;

const READ_TIMELINE = `WITH r AS (SELECT c.id, c.embassy_id, c.key_id, c.shredded_at FROM cases c WHERE c.embassy_id = $1 AND c.id = $2),
  a AS (${auditEventFrom({
    source: 'r',
    action: 'case.events-read',
    targetType: 'case',
    targetId: 'r.id::text',
    scopeType: 'EMBASSY',
    scopeId: 'r.embassy_id',
    details: `'{}'::jsonb`,
    parametersBefore: 2,
  })})
  SELECT r.key_id, r.shredded_at, e.id AS event_id, e.case_id, e.type, e.body, e.signature, e.details, e.created_at,
         e.author_id, u.sign_public_key AS author_sign_public_key, u.box_public_key AS author_box_public_key, u.fingerprint AS author_fingerprint
    FROM r
    LEFT JOIN LATERAL (
      SELECT * FROM case_events e
       WHERE e.case_id = r.id AND ($7::timestamptz IS NULL OR (e.created_at, e.id) > ($7::timestamptz, $8::uuid))
       ORDER BY e.created_at, e.id
       LIMIT $9) e ON true
    LEFT JOIN users u ON u.id = e.author_id
   ORDER BY e.created_at, e.id`;

const LIST_CASES = `SELECT ${CASE_COLUMNS} FROM cases c
   WHERE c.embassy_id = $1
     AND ($2::text IS NULL OR c.status = $2)
     AND ($3::text IS NULL OR c.risk_level = $3)
     AND ($4::text IS NULL OR c.threat_types @> ARRAY[$4::text])
     AND ($5::text IS NULL OR c.defender_groups @> ARRAY[$5::text])
     AND ($6::text IS NULL OR c.country_of_activity = $6)
     AND ($7::uuid IS NULL OR c.assigned_to_id = $7::uuid)
     AND ($8::timestamptz IS NULL OR c.next_review_at < $8::timestamptz)
     AND ($9::timestamptz IS NULL OR (c.created_at, c.id) < ($9::timestamptz, $10::uuid))
   ORDER BY c.created_at DESC, c.id DESC
   LIMIT $11`;

@Injectable()
export class CasesRepository {
  /** The new case with everything that comes with it, or undefined when the wrap's generation is not the embassy's current one. */
  async createCase(manager: EntityManager, embassy: EmbassyId, created: NewCase, actor: AuditingActor): Promise<CaseRow | undefined> {
    const rows = (await manager.query(CREATE_CASE, [
      created.id,
      created.now.getUTCFullYear(),
      embassy,
      created.status,
      created.riskLevel,
      created.threatTypes,
      created.defenderGroups,
      created.countryOfActivity,
      created.nextReviewAt,
      created.consentToTransfer,
      created.consentToRefugeSharing,
      created.keyId,
      JSON.stringify(created.envelopes),
      created.authorId,
      created.signature,
      created.now,
      ...wrapParameters(created.wrap),
      created.blindIndexes.map((entry) => entry.fieldId),
      created.blindIndexes.map((entry) => entry.value),
      ...actorParameters(actor),
    ])) as CaseRow[];
    return rows[0];
  }

  /**
   * The next reference number of the embassy for `year`, and the embassy's country (for a
   * transfer, inside its transaction): the counter row's lock serialises concurrent
   * allocations; a rollback gives the number back.
   */
  async allocateReference(manager: EntityManager, embassy: EmbassyId, year: number): Promise<string> {
    const rows = (await manager.query(
      `WITH n AS (
         INSERT INTO case_reference_counters AS k (embassy_id, year, last) VALUES ($1, $2, 1)
         ON CONFLICT (embassy_id, year) DO UPDATE SET last = k.last + 1
         RETURNING last)
       SELECT ${REFERENCE_OF('e.country', '$2::int', 'n.last')} AS reference FROM n CROSS JOIN embassies e WHERE e.id = $1`,
      [embassy, year],
    )) as { reference: string }[];
    return rows[0].reference;
  }

  /** Replaces every blind index of the case (scoped: a case of another embassy gets none). */
  async replaceBlindIndexes(manager: EntityManager, embassy: EmbassyId, caseId: string, entries: readonly BlindIndexEntry[]): Promise<void> {
    // Two statements on purpose: an INSERT beside a DELETE in one statement would not see
    // the deletion, and an index kept unchanged would be skipped as a conflict, then deleted.
    await manager.query(`DELETE FROM case_blind_indexes WHERE embassy_id = $1 AND case_id = $2`, [embassy, caseId]);
    await manager.query(
      `INSERT INTO case_blind_indexes (case_id, embassy_id, field_id, value)
       SELECT c.id, c.embassy_id, v.field_id, v.value
         FROM cases c CROSS JOIN unnest($3::text[], $4::text[]) AS v(field_id, value)
        WHERE c.embassy_id = $1 AND c.id = $2`,
      [embassy, caseId, entries.map((e) => e.fieldId), entries.map((e) => e.value)],
    );
  }

  /** The case with its sealed content and the caller's wrap, in one statement with its audit event. */
  async readSealedCase(manager: EntityManager, embassy: EmbassyId, id: string, reader: AuditingActor): Promise<SealedCaseRow | undefined> {
    const rows = (await manager.query(READ_SEALED_CASE, [embassy, id, ...actorParameters(reader)])) as SealedCaseRow[];
    return rows[0];
  }

  /** A page of the case's timeline (oldest first) in one statement with its audit event; undefined: no such case. */
  async readTimeline(
    manager: EntityManager,
    embassy: EmbassyId,
    caseId: string,
    reader: AuditingActor,
    after: TimeCursor | undefined,
    limit: number,
  ): Promise<CaseTimelineRows | undefined> {
    const rows = (await manager.query(READ_TIMELINE, [
      embassy,
      caseId,
      ...actorParameters(reader),
      after?.createdAt ?? null,
      after?.id ?? null,
      limit,
    ])) as (Omit<CaseEventRow, 'id'> & { event_id: string | null; key_id: string; shredded_at: Date | null })[];
    const first = rows[0];
    if (first === undefined) return undefined;
    return {
      keyId: first.key_id,
      shreddedAt: first.shredded_at,
      events: rows
        .filter((row): row is typeof row & { event_id: string } => row.event_id !== null)
        .map((row) => ({
          id: row.event_id,
          case_id: row.case_id,
          type: row.type,
          body: row.body,
          signature: row.signature,
          details: row.details,
          created_at: row.created_at,
          author_id: row.author_id,
          author_sign_public_key: row.author_sign_public_key,
          author_box_public_key: row.author_box_public_key,
          author_fingerprint: row.author_fingerprint,
        })),
    };
  }

  /** The case, without sealed content. */
  async findCase(manager: EntityManager, embassy: EmbassyId, id: string): Promise<CaseRow | undefined> {
    const rows = (await manager.query(`SELECT ${CASE_COLUMNS} FROM cases c WHERE c.embassy_id = $1 AND c.id = $2`, [embassy, id])) as CaseRow[];
    return rows[0];
  }

  /** The embassy's case with this reference (unique per embassy: cases_embassy_reference_key), without sealed content. */
  async findCaseByReference(manager: EntityManager, embassy: EmbassyId, reference: string): Promise<CaseRow | undefined> {
    const rows = (await manager.query(`SELECT ${CASE_COLUMNS} FROM cases c WHERE c.embassy_id = $1 AND c.reference = $2`, [
      embassy,
      reference,
    ])) as CaseRow[];
    return rows[0];
  }

  /** The case, row-locked until the transaction ends: the action reads, decides and writes it alone. */
  async lockCase(manager: EntityManager, embassy: EmbassyId, id: string, mode: 'update' | 'share' = 'update'): Promise<CaseRow | undefined> {
    const rows = (await manager.query(
      `SELECT ${CASE_COLUMNS} FROM cases c WHERE c.embassy_id = $1 AND c.id = $2 FOR ${mode === 'update' ? 'UPDATE' : 'SHARE'}`,
      [embassy, id],
    )) as CaseRow[];
    return rows[0];
  }

  /**
   * Applies `changes` only if the case is still at `version` and not shredded (and, for
   * a new revision, still at the revision before it): of two concurrent updates based
   * on one version, PostgreSQL lets exactly one match. undefined: nothing matched.
   */
  async updateCase(manager: EntityManager, embassy: EmbassyId, id: string, version: number, changes: CaseChanges, now: Date): Promise<CaseRow | undefined> {
    const sealed = changes.sealed;
    const rows = (await manager.query(
      `UPDATE cases c SET
          risk_level = COALESCE($4, c.risk_level),
          threat_types = COALESCE($5::text[], c.threat_types),
          defender_groups = COALESCE($6::text[], c.defender_groups),
          country_of_activity = COALESCE($7, c.country_of_activity),
          next_review_at = CASE WHEN $8::boolean THEN $9::timestamptz ELSE c.next_review_at END,
          consent_to_transfer_at = CASE
            WHEN $10::boolean IS NULL OR $10 = c.consent_to_transfer THEN c.consent_to_transfer_at
            WHEN $10 THEN $16::timestamptz END,
          consent_to_transfer = COALESCE($10, c.consent_to_transfer),
          consent_to_refuge_sharing_at = CASE
            WHEN $11::boolean IS NULL OR $11 = c.consent_to_refuge_sharing THEN c.consent_to_refuge_sharing_at
            WHEN $11 THEN $16::timestamptz END,
          consent_to_refuge_sharing = COALESCE($11, c.consent_to_refuge_sharing),
          envelopes = COALESCE($12::jsonb, c.envelopes),
          revision = COALESCE($13::integer, c.revision),
          revision_author_id = COALESCE($14::uuid, c.revision_author_id),
          revision_signature = COALESCE($15, c.revision_signature),
          version = c.version + 1,
          updated_at = $16
        WHERE c.embassy_id = $1 AND c.id = $2 AND c.version = $3 AND c.shredded_at IS NULL
          AND ($13::integer IS NULL OR c.revision = $13::integer - 1)
        RETURNING ${CASE_COLUMNS}`,
      [
        embassy,
        id,
        version,
        changes.riskLevel ?? null,
        changes.threatTypes ?? null,
        changes.defenderGroups ?? null,
        changes.countryOfActivity ?? null,
        changes.nextReviewAt !== undefined,
        changes.nextReviewAt ?? null,
        changes.consentToTransfer ?? null,
        changes.consentToRefugeSharing ?? null,
        sealed === undefined ? null : JSON.stringify(sealed.envelopes),
        sealed?.revision ?? null,
        sealed?.authorId ?? null,
        sealed?.signature ?? null,
        now,
      ],
    )) as [CaseRow[], number];
    return rows[0][0];
  }

  /** Status, assignment: the caller holds the row lock and checked version and transition. */
  async setStatus(manager: EntityManager, embassy: EmbassyId, id: string, status: CaseStatus, now: Date): Promise<CaseRow> {
    const rows = (await manager.query(
      `UPDATE cases c SET status = $3, version = c.version + 1, updated_at = $4
        WHERE c.embassy_id = $1 AND c.id = $2 RETURNING ${CASE_COLUMNS}`,
      [embassy, id, status, now],
    )) as [CaseRow[], number];
    return rows[0][0];
  }

  async setAssignee(manager: EntityManager, embassy: EmbassyId, id: string, assigneeId: string | null, now: Date): Promise<CaseRow> {
    const rows = (await manager.query(
      `UPDATE cases c SET assigned_to_id = $3, version = c.version + 1, updated_at = $4
        WHERE c.embassy_id = $1 AND c.id = $2 RETURNING ${CASE_COLUMNS}`,
      [embassy, id, assigneeId, now],
    )) as [CaseRow[], number];
    return rows[0][0];
  }

  /** True when `userId` is an active EMBASSY_CONTACT of the embassy. */
  async isActiveContact(manager: EntityManager, embassy: EmbassyId, userId: string): Promise<boolean> {
    const rows = (await manager.query(
      `SELECT 1 FROM users u WHERE u.embassy_id = $1 AND u.id = $2 AND u.role = 'EMBASSY_CONTACT' AND u.status = 'ACTIVE'`,
      [embassy, userId],
    )) as unknown[];
    return rows.length === 1;
  }

  /** An event of a case of this embassy (none is written for another embassy's case). */
  async insertEvent(manager: EntityManager, embassy: EmbassyId, event: NewCaseEvent): Promise<{ id: string; created_at: Date }> {
    const rows = (await manager.query(
      `INSERT INTO case_events (id, case_id, type, body, author_id, signature, details, created_at)
       SELECT $2, c.id, $3, $4, $5, $6, $7::jsonb, $8 FROM cases c WHERE c.embassy_id = $1 AND c.id = $9
       RETURNING id, created_at`,
      [embassy, event.id, event.type, event.body, event.authorId, event.signature, JSON.stringify(event.details), event.now, event.caseId],
    )) as { id: string; created_at: Date }[];
    return rows[0];
  }

  /** A page of the embassy's cases, newest first, keyset on (created_at, id). */
  async listCases(manager: EntityManager, embassy: EmbassyId, filters: CaseFilters, limit: number, after: TimeCursor | undefined): Promise<CaseRow[]> {
    return (await manager.query(LIST_CASES, [
      embassy,
      filters.status ?? null,
      filters.riskLevel ?? null,
      filters.threatType ?? null,
      filters.defenderGroup ?? null,
      filters.country ?? null,
      filters.assigneeId ?? null,
      filters.reviewDueBefore ?? null,
      after?.createdAt ?? null,
      after?.id ?? null,
      limit,
    ])) as CaseRow[];
  }

  /** Cases of the embassy carrying any of `values` for `fieldId`, most matches first. */
  async findDuplicates(manager: EntityManager, embassy: EmbassyId, fieldId: BlindIndexField, values: readonly string[], limit: number): Promise<DuplicateRow[]> {
    return (await manager.query(
      `SELECT c.id AS case_id, c.reference, count(*)::int AS matches
         FROM case_blind_indexes b
         JOIN cases c ON c.id = b.case_id AND c.embassy_id = $1
        WHERE b.embassy_id = $1 AND b.field_id = $2 AND b.value = ANY($3::text[])
        GROUP BY c.id, c.reference
        ORDER BY matches DESC, c.reference
        LIMIT $4`,
      [embassy, fieldId, values, limit],
    )) as DuplicateRow[];
  }

  /**
   * Moves the case to `to` under its new reference, with its blind indexes gone (the
   * receiving embassy computes its own). The keyring moves the wraps; the caller holds
   * the case's row lock.
   */
  async moveCase(manager: EntityManager, embassy: EmbassyId, move: { id: string; to: EmbassyId; reference: string; now: Date }): Promise<CaseRow> {
    await manager.query(`DELETE FROM case_blind_indexes WHERE embassy_id = $1 AND case_id = $2`, [embassy, move.id]);
    const rows = (await manager.query(
      `UPDATE cases c SET embassy_id = $3, reference = $4, assigned_to_id = NULL, version = c.version + 1, updated_at = $5
        WHERE c.embassy_id = $1 AND c.id = $2 RETURNING ${CASE_COLUMNS}`,
      [embassy, move.id, move.to, move.reference, move.now],
    )) as [CaseRow[], number];
    return rows[0][0];
  }

  /**
   * The case's part of the emergency erase: the sealed columns of the case and of its
   * events, the blind indexes (the keyring deletes the wraps). The caller holds the
   * case's row lock.
   */
  async shredCase(manager: EntityManager, embassy: EmbassyId, id: string, now: Date): Promise<{ row: CaseRow; events: number }> {
    // Every statement names the case by id AND embassy, like every other write here: a
    // bug in the caller must not be able to erase another embassy's data.
    const [, events] = (await manager.query(
      `UPDATE case_events e SET body = NULL, signature = NULL
         FROM cases c
        WHERE e.case_id = c.id AND c.embassy_id = $1 AND c.id = $2 AND e.body IS NOT NULL`,
      [embassy, id],
    )) as [unknown, number];
    await manager.query(`DELETE FROM case_blind_indexes WHERE embassy_id = $1 AND case_id = $2`, [embassy, id]);
    const rows = (await manager.query(
      `UPDATE cases c SET envelopes = NULL, revision_signature = NULL, shredded_at = $3, version = c.version + 1, updated_at = $3
        WHERE c.embassy_id = $1 AND c.id = $2 RETURNING ${CASE_COLUMNS}`,
      [embassy, id, now],
    )) as [CaseRow[], number];
    return { row: rows[0][0], events };
  }
}
