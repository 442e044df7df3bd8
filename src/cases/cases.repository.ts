/**
 * Every SQL statement of the case feature. Every method that reaches a case takes the
 * embassy id as a required parameter and puts `embassy_id = $scope` in the WHERE of
 * reads and writes alike, so another embassy's case and a missing one come back the same
 * (undefined → 404). Writes take the transaction's EntityManager, so that a change and
 * its audit event commit together; audited reads are one statement
 * (`WITH r AS (SELECT …), a AS (INSERT INTO audit_events … FROM r) SELECT * FROM r`):
 * the read fails if its audit event cannot be written.
 *
 * This module decides nothing (cases.service.ts does) and interprets no sealed material:
 * it stores and returns envelopes, signatures and wraps it cannot open.
 */
import { Injectable } from '@nestjs/common';
import { currentClientAddress } from '../common/http/request-context';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuditAction } from '../audit/audit-event';
import type { Role } from '../common/authz/roles';
import type { SealedFieldEntry } from '../crypto/revision-payload';
import type { SignedDataKeyWrap } from '../crypto/data-key-wrap-payload';
import type { CaseStatus } from './case-status';
import type { CaseEventDetails } from './case-event.entity';
import type { BlindIndexField, CaseEventType, DefenderGroup, RiskLevel, ThreatType } from './case-vocabulary';

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
  reference: string;
  embassyId: string;
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

export interface BlindIndexEntry {
  fieldId: BlindIndexField;
  value: string;
}

export interface DuplicateRow {
  case_id: string;
  reference: string;
  matches: number;
}

/** Who reads, for the audit event of an audited read ($3–$6 of every such statement, see auditParameters). */
export interface ReadingActor {
  userId: string;
  role: Role;
  requestId: string;
}

/**
 * The audit CTE of an audited read: one event per row of `source` (at most one case),
 * in the same statement as the read. Parameters $3 (actor id), $4 (role), $5 (request
 * id) and $6 (client address) are reserved for it in every audited statement.
 */
function auditFrom(source: string, action: AuditAction, details: string): string {
  return `INSERT INTO audit_events (actor_id, actor_role, action, target_type, target_id, scope_type, scope_id, request_id, outcome, details, client_address)
          SELECT $3::uuid, $4, '${action}', 'case', ${source}.id::text, 'EMBASSY', ${source}.embassy_id, $5, 'SUCCESS', ${details},
                 $6::inet
            FROM ${source}`;
}

/** $3–$6 of an audited statement: who reads, in which request, from which address. */
function auditParameters(reader: ReadingActor): [string, Role, string, string | null] {
  return [reader.userId, reader.role, reader.requestId, currentClientAddress()];
}

@Injectable()
export class CasesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /**
   * The next reference number of the embassy for `year`, and the embassy's country: the
   * counter row's lock serialises concurrent creations; a rollback gives the number back.
   */
  async allocateReference(manager: EntityManager, embassyId: string, year: number): Promise<{ country: string; number: number }> {
    const rows = (await manager.query(
      `WITH n AS (
         INSERT INTO case_reference_counters (embassy_id, year, last) VALUES ($1, $2, 1)
         ON CONFLICT (embassy_id, year) DO UPDATE SET last = case_reference_counters.last + 1
         RETURNING last)
       SELECT e.country, n.last AS number FROM n CROSS JOIN embassies e WHERE e.id = $1`,
      [embassyId, year],
    )) as { country: string; number: number }[];
    return rows[0];
  }

  async insertCase(manager: EntityManager, created: NewCase): Promise<CaseRow> {
    const rows = (await manager.query(
      `INSERT INTO cases AS c (id, reference, embassy_id, status, risk_level, threat_types, defender_groups, country_of_activity,
              next_review_at, version, consent_to_transfer, consent_to_transfer_at, consent_to_refuge_sharing,
              consent_to_refuge_sharing_at, key_id, envelopes, revision, revision_author_id, revision_signature,
              created_by, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6::text[], $7::text[], $8, $9, 1, $10, CASE WHEN $10 THEN $16::timestamptz END, $11,
               CASE WHEN $11 THEN $16::timestamptz END, $12, $13::jsonb, 1, $14, $15, $14, $16, $16)
       RETURNING ${CASE_COLUMNS}`,
      [
        created.id,
        created.reference,
        created.embassyId,
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
      ],
    )) as CaseRow[];
    return rows[0];
  }

  /** Adds a signed data key wrap; the caller holds the scope's keyring lock and checked the generation, binding and signature. */
  async insertWrap(manager: EntityManager, wrap: SignedDataKeyWrap): Promise<void> {
    await manager.query(
      `INSERT INTO data_key_wraps (key_id, scope_id, generation, sealed, entity, record_id, writer_id, signature)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        wrap.keyId.toLowerCase(),
        wrap.scopeId.toLowerCase(),
        wrap.generation,
        wrap.sealed,
        wrap.entity,
        wrap.recordId.toLowerCase(),
        wrap.writerUserId.toLowerCase(),
        wrap.signature,
      ],
    );
  }

  /** Replaces every blind index of the case (scoped: a case of another embassy gets none). */
  async replaceBlindIndexes(manager: EntityManager, embassyId: string, caseId: string, entries: readonly BlindIndexEntry[]): Promise<void> {
    await manager.query(`DELETE FROM case_blind_indexes WHERE case_id = $1 AND embassy_id = $2`, [caseId, embassyId]);
    await this.insertBlindIndexes(manager, embassyId, caseId, entries);
  }

  /** Adds blind indexes to a case of this embassy (a new case has none to replace). */
  async insertBlindIndexes(manager: EntityManager, embassyId: string, caseId: string, entries: readonly BlindIndexEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await manager.query(
      `INSERT INTO case_blind_indexes (case_id, embassy_id, field_id, value)
       SELECT c.id, c.embassy_id, v.field_id, v.value
         FROM cases c CROSS JOIN unnest($3::text[], $4::text[]) AS v(field_id, value)
        WHERE c.id = $1 AND c.embassy_id = $2
       ON CONFLICT DO NOTHING`,
      [caseId, embassyId, entries.map((e) => e.fieldId), entries.map((e) => e.value)],
    );
  }

  /** The case with its sealed content and the caller's wrap, in one statement with its audit event. */
  async readSealedCase(id: string, embassyId: string, reader: ReadingActor): Promise<SealedCaseRow | undefined> {
    const rows = (await this.dataSource.query(
      `WITH r AS (
         SELECT ${CASE_COLUMNS}, c.envelopes, c.revision_author_id, c.revision_signature,
                u.sign_public_key AS author_sign_public_key, u.box_public_key AS author_box_public_key, u.fingerprint AS author_fingerprint,
                w.generation AS wrap_generation, w.sealed AS wrap_sealed, w.entity AS wrap_entity, w.record_id AS wrap_record_id,
                w.writer_id AS wrap_writer_id, w.signature AS wrap_signature,
                writer.sign_public_key AS wrap_writer_sign_public_key, writer.box_public_key AS wrap_writer_box_public_key, writer.fingerprint AS wrap_writer_fingerprint
           FROM cases c
           JOIN users u ON u.id = c.revision_author_id
           LEFT JOIN data_key_wraps w ON w.key_id = c.key_id AND w.scope_id = c.embassy_id
           LEFT JOIN users writer ON writer.id = w.writer_id
          WHERE c.id = $1 AND c.embassy_id = $2),
       a AS (${auditFrom('r', 'case.read', `jsonb_build_object('revision', r.revision, 'shredded', r.shredded_at IS NOT NULL)`)})
       SELECT * FROM r`,
      [id, embassyId, ...auditParameters(reader)],
    )) as SealedCaseRow[];
    return rows[0];
  }

  /** A page of the case's timeline (oldest first) in one statement with its audit event; undefined: no such case. */
  async readTimeline(
    caseId: string,
    embassyId: string,
    reader: ReadingActor,
    after: { createdAt: Date; id: string } | undefined,
    limit: number,
  ): Promise<CaseTimelineRows | undefined> {
    const rows = (await this.dataSource.query(
      `WITH r AS (SELECT c.id, c.embassy_id, c.key_id, c.shredded_at FROM cases c WHERE c.id = $1 AND c.embassy_id = $2),
       a AS (${auditFrom('r', 'case.events-read', `'{}'::jsonb`)})
       SELECT r.key_id, r.shredded_at, e.id AS event_id, e.case_id, e.type, e.body, e.signature, e.details, e.created_at,
              e.author_id, u.sign_public_key AS author_sign_public_key, u.box_public_key AS author_box_public_key, u.fingerprint AS author_fingerprint
         FROM r
         LEFT JOIN LATERAL (
           SELECT * FROM case_events e
            WHERE e.case_id = r.id AND ($7::timestamptz IS NULL OR (e.created_at, e.id) > ($7::timestamptz, $8::uuid))
            ORDER BY e.created_at, e.id
            LIMIT $9) e ON true
         LEFT JOIN users u ON u.id = e.author_id
        ORDER BY e.created_at, e.id`,
      [caseId, embassyId, ...auditParameters(reader), after?.createdAt ?? null, after?.id ?? null, limit],
    )) as (Omit<CaseEventRow, 'id'> & { event_id: string | null; key_id: string; shredded_at: Date | null })[];
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
  async findCase(manager: EntityManager, id: string, embassyId: string): Promise<CaseRow | undefined> {
    const rows = (await manager.query(`SELECT ${CASE_COLUMNS} FROM cases c WHERE c.id = $1 AND c.embassy_id = $2`, [id, embassyId])) as CaseRow[];
    return rows[0];
  }

  /** The embassy's case with this reference (unique per embassy: cases_embassy_reference_key), without sealed content. */
  async findCaseByReference(reference: string, embassyId: string): Promise<CaseRow | undefined> {
    const rows = (await this.dataSource.query(`SELECT ${CASE_COLUMNS} FROM cases c WHERE c.embassy_id = $1 AND c.reference = $2`, [
      embassyId,
      reference,
    ])) as CaseRow[];
    return rows[0];
  }

  /** The case, row-locked until the transaction ends: the action reads, decides and writes it alone. */
  async lockCase(manager: EntityManager, id: string, embassyId: string, mode: 'update' | 'share' = 'update'): Promise<CaseRow | undefined> {
    const rows = (await manager.query(
      `SELECT ${CASE_COLUMNS} FROM cases c WHERE c.id = $1 AND c.embassy_id = $2 FOR ${mode === 'update' ? 'UPDATE' : 'SHARE'}`,
      [id, embassyId],
    )) as CaseRow[];
    return rows[0];
  }

  /**
   * Applies `changes` only if the case is still at `version` and not shredded (and, for
   * a new revision, still at the revision before it): of two concurrent updates based
   * on one version, PostgreSQL lets exactly one match. undefined: nothing matched.
   */
  async updateCase(manager: EntityManager, id: string, embassyId: string, version: number, changes: CaseChanges, now: Date): Promise<CaseRow | undefined> {
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
        WHERE c.id = $1 AND c.embassy_id = $2 AND c.version = $3 AND c.shredded_at IS NULL
          AND ($13::integer IS NULL OR c.revision = $13::integer - 1)
        RETURNING ${CASE_COLUMNS}`,
      [
        id,
        embassyId,
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
  async setStatus(manager: EntityManager, id: string, embassyId: string, status: CaseStatus, now: Date): Promise<CaseRow> {
    const rows = (await manager.query(
      `UPDATE cases c SET status = $3, version = c.version + 1, updated_at = $4
        WHERE c.id = $1 AND c.embassy_id = $2 RETURNING ${CASE_COLUMNS}`,
      [id, embassyId, status, now],
    )) as [CaseRow[], number];
    return rows[0][0];
  }

  async setAssignee(manager: EntityManager, id: string, embassyId: string, assigneeId: string | null, now: Date): Promise<CaseRow> {
    const rows = (await manager.query(
      `UPDATE cases c SET assigned_to_id = $3, version = c.version + 1, updated_at = $4
        WHERE c.id = $1 AND c.embassy_id = $2 RETURNING ${CASE_COLUMNS}`,
      [id, embassyId, assigneeId, now],
    )) as [CaseRow[], number];
    return rows[0][0];
  }

  /** True when `userId` is an active EMBASSY_CONTACT of `embassyId`. */
  async isActiveContact(manager: EntityManager, embassyId: string, userId: string): Promise<boolean> {
    const rows = (await manager.query(
      `SELECT 1 FROM users u WHERE u.id = $1 AND u.role = 'EMBASSY_CONTACT' AND u.embassy_id = $2 AND u.status = 'ACTIVE'`,
      [userId, embassyId],
    )) as unknown[];
    return rows.length === 1;
  }

  async insertEvent(manager: EntityManager, event: NewCaseEvent): Promise<{ id: string; created_at: Date }> {
    const rows = (await manager.query(
      `INSERT INTO case_events (id, case_id, type, body, author_id, signature, details, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)
       RETURNING id, created_at`,
      [event.id, event.caseId, event.type, event.body, event.authorId, event.signature, JSON.stringify(event.details), event.now],
    )) as { id: string; created_at: Date }[];
    return rows[0];
  }

  /** A page of the embassy's cases, newest first, keyset on (created_at, id). */
  async listCases(embassyId: string, filters: CaseFilters, limit: number, after: { createdAt: Date; id: string } | undefined): Promise<CaseRow[]> {
    return (await this.dataSource.query(
      `SELECT ${CASE_COLUMNS} FROM cases c
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
        LIMIT $11`,
      [
        embassyId,
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
      ],
    )) as CaseRow[];
  }

  /** Cases of the embassy carrying any of `values` for `fieldId`, most matches first. */
  async findDuplicates(manager: EntityManager, embassyId: string, fieldId: BlindIndexField, values: readonly string[], limit: number): Promise<DuplicateRow[]> {
    return (await manager.query(
      `SELECT c.id AS case_id, c.reference, count(*)::int AS matches
         FROM case_blind_indexes b
         JOIN cases c ON c.id = b.case_id AND c.embassy_id = $1
        WHERE b.embassy_id = $1 AND b.field_id = $2 AND b.value = ANY($3::text[])
        GROUP BY c.id, c.reference
        ORDER BY matches DESC, c.reference
        LIMIT $4`,
      [embassyId, fieldId, values, limit],
    )) as DuplicateRow[];
  }

  /**
   * Moves the case to `toEmbassyId` under its new reference: the source embassy's wraps
   * and every blind index go, the receiving embassy's wrap comes. The caller holds the
   * case's row lock and both keyring locks.
   */
  async moveCase(
    manager: EntityManager,
    move: { id: string; fromEmbassyId: string; toEmbassyId: string; reference: string; keyId: string; wrap: SignedDataKeyWrap; now: Date },
  ): Promise<CaseRow> {
    await manager.query(`DELETE FROM data_key_wraps WHERE key_id = $1 AND scope_id = $2`, [move.keyId, move.fromEmbassyId]);
    await manager.query(`DELETE FROM case_blind_indexes WHERE case_id = $1 AND embassy_id = $2`, [move.id, move.fromEmbassyId]);
    await this.insertWrap(manager, move.wrap);
    const rows = (await manager.query(
      `UPDATE cases c SET embassy_id = $3, reference = $4, assigned_to_id = NULL, version = c.version + 1, updated_at = $5
        WHERE c.id = $1 AND c.embassy_id = $2 RETURNING ${CASE_COLUMNS}`,
      [move.id, move.fromEmbassyId, move.toEmbassyId, move.reference, move.now],
    )) as [CaseRow[], number];
    return rows[0][0];
  }

  /**
   * The emergency erase: every wrap of the case's key (whatever the scope), the sealed
   * columns of the case and of its events, the blind indexes. The caller holds the
   * case's row lock and its embassy's keyring lock.
   */
  async shredCase(manager: EntityManager, id: string, embassyId: string, keyId: string, now: Date): Promise<{ row: CaseRow; wraps: number; events: number }> {
    // Every statement names the case by id AND embassy, like every other write here: a
    // bug in the caller must not be able to erase another embassy's data.
    const [, wraps] = (await manager.query(
      `DELETE FROM data_key_wraps w USING cases c
        WHERE w.key_id = $1 AND c.key_id = w.key_id AND c.id = $2 AND c.embassy_id = $3`,
      [keyId, id, embassyId],
    )) as [unknown, number];
    const [, events] = (await manager.query(
      `UPDATE case_events e SET body = NULL, signature = NULL
         FROM cases c
        WHERE e.case_id = c.id AND c.id = $1 AND c.embassy_id = $2 AND e.body IS NOT NULL`,
      [id, embassyId],
    )) as [unknown, number];
    await manager.query(`DELETE FROM case_blind_indexes WHERE case_id = $1 AND embassy_id = $2`, [id, embassyId]);
    const rows = (await manager.query(
      `UPDATE cases c SET envelopes = NULL, revision_signature = NULL, shredded_at = $3, version = c.version + 1, updated_at = $3
        WHERE c.id = $1 AND c.embassy_id = $2 RETURNING ${CASE_COLUMNS}`,
      [id, embassyId, now],
    )) as [CaseRow[], number];
    return { row: rows[0][0], wraps, events };
  }
}
