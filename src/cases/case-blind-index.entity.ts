/**
 * Blind indexes of a case (docs/protocol.md §5.9): keyed digests of the normalised full
 * name and passport numbers, computed by the client under its embassy's team key, so
 * that duplicates are found inside one embassy without the server learning a name.
 * Scoped by embassy like the case; a transfer deletes them (the receiving embassy's key
 * is another, it recomputes its own).
 */
import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Embassy } from '../users/embassy.entity';
import { DefenderCase } from './case.entity';
import type { BlindIndexField } from '../contract/case-vocabulary';

@Entity({ name: 'case_blind_indexes' })
@Index('case_blind_indexes_lookup_idx', ['embassyId', 'fieldId', 'value'])
@Check('case_blind_indexes_field_check', `"field_id" IN ('name', 'passport')`)
export class CaseBlindIndex {
  @PrimaryColumn({ name: 'case_id', type: 'uuid', primaryKeyConstraintName: 'case_blind_indexes_pkey' })
  caseId!: string;

  @ManyToOne(() => DefenderCase, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'case_id', foreignKeyConstraintName: 'case_blind_indexes_case_id_fkey' })
  defenderCase?: DefenderCase;

  @PrimaryColumn({ name: 'field_id', type: 'varchar', length: 16, primaryKeyConstraintName: 'case_blind_indexes_pkey' })
  fieldId!: BlindIndexField;

  /** base64url of 16 bytes. */
  @PrimaryColumn({ type: 'varchar', length: 24, primaryKeyConstraintName: 'case_blind_indexes_pkey' })
  value!: string;

  @Column({ name: 'embassy_id', type: 'uuid' })
  embassyId!: string;

  @ManyToOne(() => Embassy, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'embassy_id', foreignKeyConstraintName: 'case_blind_indexes_embassy_id_fkey' })
  embassy?: Embassy;
}
