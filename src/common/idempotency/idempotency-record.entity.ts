/**
 * One `Idempotency-Key` as a caller used it (docs/api.md): who, for which operation,
 * the hash of the request, and the response it got. Written in the transaction of the
 * operation itself, so a key is stored exactly when its effect is; a request that
 * failed leaves nothing and may be retried. The stored response is what the API returned
 * (clear fields and ids only: create responses carry no envelope).
 */
import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity({ name: 'idempotency_records' })
@Index('idempotency_records_created_idx', ['createdAt'])
export class IdempotencyRecord {
  @PrimaryColumn({ name: 'actor_id', type: 'uuid', primaryKeyConstraintName: 'idempotency_records_pkey' })
  actorId!: string;

  /** The operation and its path parameters, e.g. `case.create` or `case.event:<caseId>`. */
  @PrimaryColumn({ type: 'varchar', length: 120, primaryKeyConstraintName: 'idempotency_records_pkey' })
  operation!: string;

  @PrimaryColumn({ name: 'idempotency_key', type: 'varchar', length: 128, primaryKeyConstraintName: 'idempotency_records_pkey' })
  idempotencyKey!: string;

  /** SHA-256 (hex) of the canonical JSON of the request. */
  @Column({ name: 'request_hash', type: 'char', length: 64 })
  requestHash!: string;

  @Column({ name: 'response_status', type: 'integer', nullable: true })
  responseStatus!: number | null;

  @Column({ name: 'response_body', type: 'jsonb', nullable: true })
  responseBody!: unknown;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
