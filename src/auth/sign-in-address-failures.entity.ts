/**
 * Failed sign-ins per client address and hour (docs/identity.md, "Brute force"). The
 * address is never stored: `address_tag` is an HMAC of it (of its /64 for IPv6) under a
 * server key, enough to count and nothing to read back. Rows of past hours are deleted
 * when a new hour's first row is written.
 */
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity({ name: 'sign_in_address_failures' })
@Index('sign_in_address_failures_window_idx', ['windowStart'])
export class SignInAddressFailures {
  @PrimaryColumn({ name: 'address_tag', type: 'bytea', primaryKeyConstraintName: 'sign_in_address_failures_pkey' })
  addressTag!: Buffer;

  @PrimaryColumn({ name: 'window_start', type: 'timestamptz', primaryKeyConstraintName: 'sign_in_address_failures_pkey' })
  windowStart!: Date;

  /** Attempts not (yet) known to have succeeded: each takes one before any hash is verified. */
  @Column({ type: 'integer', default: 0 })
  failures!: number;
}
