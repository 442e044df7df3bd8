/**
 * The one-time setup token that lets the first administrator be created. One row at
 * most (id = 1). Only the SHA-256 of the token is stored: the token itself is 32
 * random bytes, so a fast hash is enough and a stolen database does not yield it.
 */
import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'setup_token' })
@Check('setup_token_single_row', '"id" = 1')
export class SetupToken {
  @PrimaryColumn({ type: 'smallint', default: 1, primaryKeyConstraintName: 'setup_token_pkey' })
  id!: number;

  @Column({ name: 'token_hash', type: 'bytea' })
  tokenHash!: Buffer;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  /** Set when the first administrator is created; the token is then dead for good. */
  @Column({ name: 'consumed_at', type: 'timestamptz', nullable: true })
  consumedAt!: Date | null;
}
