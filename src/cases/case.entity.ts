/**
 * A defender case (docs/cases.md) and the per-embassy counter its references come from.
 *
 * Clear columns are what the workflow, search and statistics need; everything that
 * names, locates or describes the defender is in `envelopes`, client-sealed under the
 * case's data key (`key_id`) and signed as a whole by `revision_author_id`. The server
 * can check these columns but never read what they seal. Shredding nulls the sealed
 * columns and keeps the clear skeleton (`shredded_at`).
 *
 * Never returned as is: responses go through the explicit mappers in cases.mappers.ts.
 */
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { SealedFieldEntry } from '../crypto/revision-payload';
import { Embassy } from '../users/embassy.entity';
import { User } from '../users/user.entity';
import type { CaseStatus } from '../contract/case-vocabulary';
import type { DefenderGroup, RiskLevel, ThreatType } from '../contract/case-vocabulary';

@Entity({ name: 'cases' })
@Index('cases_embassy_reference_key', ['embassyId', 'reference'], { unique: true })
@Index('cases_key_id_key', ['keyId'], { unique: true })
@Index('cases_embassy_created_idx', ['embassyId', 'createdAt', 'id'])
@Index('cases_embassy_status_idx', ['embassyId', 'status'])
@Index('cases_embassy_risk_level_idx', ['embassyId', 'riskLevel'])
@Index('cases_embassy_country_idx', ['embassyId', 'countryOfActivity'])
@Index('cases_embassy_assigned_to_idx', ['embassyId', 'assignedToId'])
@Index('cases_embassy_next_review_idx', ['embassyId', 'nextReviewAt'])
@Index('cases_threat_types_idx', ['threatTypes'], { type: 'gin' })
@Index('cases_defender_groups_idx', ['defenderGroups'], { type: 'gin' })
@Check('cases_status_check', `"status" IN ('OPEN', 'ASSESSING', 'PROTECTION_ACTIVE', 'MONITORING', 'CLOSED')`)
@Check('cases_risk_level_check', `"risk_level" IN ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL')`)
@Check(
  'cases_sealed_check',
  `("shredded_at" IS NULL AND "envelopes" IS NOT NULL AND "revision_signature" IS NOT NULL)
   OR ("shredded_at" IS NOT NULL AND "envelopes" IS NULL AND "revision_signature" IS NULL)`,
)
export class DefenderCase {
  /** Chosen by the creating client: the id is bound into every envelope before the server sees it. */
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'cases_pkey' })
  id!: string;

  /** Human-readable, unique per embassy: `<embassy country>-<year>-<sequence>`, e.g. KE-2026-0042. */
  @Column({ type: 'varchar', length: 32 })
  reference!: string;

  @Column({ name: 'embassy_id', type: 'uuid' })
  embassyId!: string;

  @ManyToOne(() => Embassy, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'embassy_id', foreignKeyConstraintName: 'cases_embassy_id_fkey' })
  embassy?: Embassy;

  @Column({ type: 'varchar', length: 20 })
  status!: CaseStatus;

  @Column({ name: 'risk_level', type: 'varchar', length: 10 })
  riskLevel!: RiskLevel;

  @Column({ name: 'threat_types', type: 'text', array: true })
  threatTypes!: ThreatType[];

  @Column({ name: 'defender_groups', type: 'text', array: true })
  defenderGroups!: DefenderGroup[];

  /** ISO 3166-1 alpha-2, upper case. */
  @Column({ name: 'country_of_activity', type: 'char', length: 2 })
  countryOfActivity!: string;

  @Column({ name: 'assigned_to_id', type: 'uuid', nullable: true })
  assignedToId!: string | null;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'assigned_to_id', foreignKeyConstraintName: 'cases_assigned_to_id_fkey' })
  assignedTo?: User;

  @Column({ name: 'next_review_at', type: 'timestamptz', nullable: true })
  nextReviewAt!: Date | null;

  /** Optimistic concurrency: +1 on every change of the row (update, status, assignment, transfer, shred). */
  @Column({ type: 'integer' })
  version!: number;

  /** The defender agreed to referral or transfer to another embassy (docs/cases.md: consent). */
  @Column({ name: 'consent_to_transfer', type: 'boolean', default: false })
  consentToTransfer!: boolean;

  @Column({ name: 'consent_to_transfer_at', type: 'timestamptz', nullable: true })
  consentToTransferAt!: Date | null;

  /** The defender agreed that a placement brief be shared with the refuge network. */
  @Column({ name: 'consent_to_refuge_sharing', type: 'boolean', default: false })
  consentToRefugeSharing!: boolean;

  @Column({ name: 'consent_to_refuge_sharing_at', type: 'timestamptz', nullable: true })
  consentToRefugeSharingAt!: Date | null;

  /** The case compartment's data key id (clear by design, docs/protocol.md §4.5). */
  @Column({ name: 'key_id', type: 'uuid' })
  keyId!: string;

  /** The sealed fields of the current revision, `[{ field, envelope }]`; null once shredded. */
  @Column({ type: 'jsonb', nullable: true })
  envelopes!: SealedFieldEntry[] | null;

  /** The signed revision number: 1 on create, +1 on each change of sealed content. */
  @Column({ type: 'integer' })
  revision!: number;

  @Column({ name: 'revision_author_id', type: 'uuid' })
  revisionAuthorId!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'revision_author_id', foreignKeyConstraintName: 'cases_revision_author_id_fkey' })
  revisionAuthor?: User;

  /** Ed25519 by the author over the revision (docs/protocol.md §5.8); null once shredded. */
  @Column({ name: 'revision_signature', type: 'varchar', length: 128, nullable: true })
  revisionSignature!: string | null;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'cases_created_by_fkey' })
  creator?: User;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'shredded_at', type: 'timestamptz', nullable: true })
  shreddedAt!: Date | null;
}

/**
 * The last reference number handed out per embassy and year. Allocation is one
 * `INSERT … ON CONFLICT DO UPDATE SET last = last + 1 RETURNING last`: PostgreSQL's row
 * lock serialises concurrent creations, and a rolled-back creation gives its number back.
 */
@Entity({ name: 'case_reference_counters' })
export class CaseReferenceCounter {
  @PrimaryColumn({ name: 'embassy_id', type: 'uuid', primaryKeyConstraintName: 'case_reference_counters_pkey' })
  embassyId!: string;

  @ManyToOne(() => Embassy, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'embassy_id', foreignKeyConstraintName: 'case_reference_counters_embassy_id_fkey' })
  embassy?: Embassy;

  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'case_reference_counters_pkey' })
  year!: number;

  @Column({ type: 'integer' })
  last!: number;
}
