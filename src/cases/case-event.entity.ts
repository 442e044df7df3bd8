/**
 * A timeline event of a case (docs/cases.md): typed, dated, authored. Members append
 * events whose `body` is one envelope sealed under the case's data key and signed as a
 * one-field revision of entity `case_event`. The server writes STATUS_CHANGE and
 * TRANSFER events itself, with no body and clear `details` (statuses, embassy ids): it
 * cannot seal, and must never put anything but workflow facts into `details`.
 *
 * Shredding the case nulls every body and signature; type, time and author remain.
 */
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from '../users/user.entity';
import { DefenderCase } from './case.entity';
import type { CaseEventType } from '../contract/case-vocabulary';

export type CaseEventDetails = Record<string, string | number | boolean | null>;

@Entity({ name: 'case_events' })
@Index('case_events_case_created_idx', ['caseId', 'createdAt', 'id'])
@Check(
  'case_events_type_check',
  `"type" IN ('THREAT_INCIDENT', 'CONTACT', 'MEASURE', 'REVIEW', 'TRANSFER', 'STATUS_CHANGE')`,
)
@Check('case_events_signed_body_check', `("body" IS NULL) = ("signature" IS NULL)`)
export class CaseEvent {
  /** Chosen by the appending client (bound into the body's associated data); by the server for its own events. */
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'case_events_pkey' })
  id!: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  @ManyToOne(() => DefenderCase, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'case_id', foreignKeyConstraintName: 'case_events_case_id_fkey' })
  defenderCase?: DefenderCase;

  @Column({ type: 'varchar', length: 20 })
  type!: CaseEventType;

  /** One envelope (entity `case_event`, field `body`); null for server events and after a shred. */
  @Column({ type: 'text', nullable: true })
  body!: string | null;

  @Column({ name: 'author_id', type: 'uuid' })
  authorId!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'author_id', foreignKeyConstraintName: 'case_events_author_id_fkey' })
  author?: User;

  /** Ed25519 by the author over the one-field revision; null with the body. */
  @Column({ type: 'varchar', length: 128, nullable: true })
  signature!: string | null;

  /** Clear workflow facts of server events, e.g. `{ from: 'OPEN', to: 'ASSESSING' }`. */
  @Column({ type: 'jsonb', default: {} })
  details!: CaseEventDetails;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
