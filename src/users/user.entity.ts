/**
 * A user and everything the server keeps to authenticate them without ever learning a
 * password or a key that opens sealed content: KDF parameters, Argon2id hashes of the
 * authKey and recovery authKey, public keys, the seed wrapped under the KEK and under
 * the recovery key (opaque), the TOTP secret encrypted under a server key, lockout
 * counters and the token version whose increment revokes every session.
 *
 * Never returned as is: responses go through explicit mappers.
 */
import type { UserStatus } from '../contract/roles';
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { EncryptedKeyBundle } from '../crypto/key-bundles';
import type { Role } from '../contract/roles';
import { Embassy } from './embassy.entity';
import { ROLE_IS_KNOWN_SQL, ROLE_MATCHES_SCOPE_SQL } from './role-scope.checks';
import { Organisation } from './organisation.entity';


@Entity({ name: 'users' })
@Index('users_email_key', ['email'], { unique: true })
@Index('users_embassy_id_idx', ['embassyId'])
@Index('users_organisation_id_idx', ['organisationId'])
@Index('users_role_status_idx', ['role', 'status'])
@Check('users_role_check', ROLE_IS_KNOWN_SQL)
@Check('users_status_check', `"status" IN ('ACTIVE', 'DISABLED')`)
@Check('users_scope_check', ROLE_MATCHES_SCOPE_SQL)
export class User {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'users_pkey' })
  id!: string;

  /** Lower-cased at the edge; unique. */
  @Column({ type: 'varchar', length: 254 })
  email!: string;

  /**
   * The name the administrator gave on the invitation (at most 100 characters, no
   * control characters: display-name.ts), shown wherever the member appears. Clear on
   * purpose: docs/identity.md, "Display names".
   */
  @Column({ name: 'display_name', type: 'varchar', length: 100, nullable: true })
  displayName!: string | null;

  @Column({ type: 'varchar', length: 20 })
  role!: Role;

  @Column({ name: 'embassy_id', type: 'uuid', nullable: true })
  embassyId!: string | null;

  @ManyToOne(() => Embassy, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'embassy_id', foreignKeyConstraintName: 'users_embassy_id_fkey' })
  embassy?: Embassy;

  @Column({ name: 'organisation_id', type: 'uuid', nullable: true })
  organisationId!: string | null;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'users_organisation_id_fkey' })
  organisation?: Organisation;

  @Column({ type: 'varchar', length: 10, default: 'ACTIVE' })
  status!: UserStatus;

  /** Argon2id salt (16 bytes, base64url) and limits, returned by prelogin. */
  @Column({ name: 'kdf_salt', type: 'varchar', length: 32 })
  kdfSalt!: string;

  @Column({ name: 'kdf_opslimit', type: 'integer' })
  kdfOpslimit!: number;

  @Column({ name: 'kdf_memlimit', type: 'bigint' })
  kdfMemlimit!: string;

  /** crypto_pwhash_str of the authKey. */
  @Column({ name: 'auth_key_hash', type: 'varchar', length: 256 })
  authKeyHash!: string;

  /** crypto_pwhash_str of the recovery authKey. */
  @Column({ name: 'recovery_auth_key_hash', type: 'varchar', length: 256 })
  recoveryAuthKeyHash!: string;

  @Column({ name: 'box_public_key', type: 'varchar', length: 64 })
  boxPublicKey!: string;

  @Column({ name: 'sign_public_key', type: 'varchar', length: 64 })
  signPublicKey!: string;

  @Column({ type: 'varchar', length: 128 })
  fingerprint!: string;

  /** The user seed under the KEK: opaque to the server. */
  @Column({ name: 'password_bundle', type: 'jsonb' })
  passwordBundle!: EncryptedKeyBundle;

  /** The user seed under the recovery wrapping key: opaque to the server. */
  @Column({ name: 'recovery_bundle', type: 'jsonb' })
  recoveryBundle!: EncryptedKeyBundle;

  /** AES-256-GCM under the server's totp-at-rest key (nonce ‖ ciphertext ‖ tag). */
  @Column({ name: 'totp_secret_sealed', type: 'bytea' })
  totpSecretSealed!: Buffer;

  /** Null until a first valid code proves the authenticator works. */
  @Column({ name: 'totp_enabled_at', type: 'timestamptz', nullable: true })
  totpEnabledAt!: Date | null;

  /** Highest 30-second step already used: a code is accepted once. */
  @Column({ name: 'totp_last_step', type: 'bigint', default: 0 })
  totpLastStep!: string;

  /**
   * Lockout of the password (docs/identity.md, "Brute force"): guesses made behind the right
   * password (a wrong TOTP code) or with a session (a wrong current password) since the last
   * success or lock, the lock, and how many locks in a row (each one lasts twice as long).
   */
  @Column({ name: 'failed_attempts', type: 'integer', default: 0 })
  failedAttempts!: number;

  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil!: Date | null;

  @Column({ name: 'lockouts', type: 'integer', default: 0 })
  lockouts!: number;

  /** The same for the recovery key: only a wrong TOTP code behind the right recovery key counts. */
  @Column({ name: 'recovery_failed_attempts', type: 'integer', default: 0 })
  recoveryFailedAttempts!: number;

  @Column({ name: 'recovery_locked_until', type: 'timestamptz', nullable: true })
  recoveryLockedUntil!: Date | null;

  @Column({ name: 'recovery_lockouts', type: 'integer', default: 0 })
  recoveryLockouts!: number;

  /**
   * The administrative record's version: moves when an administrator changes the role,
   * scope or status, and such a change names the version it was based on (docs/api.md).
   * Sign-ins, locks and credential changes leave it alone: they are not administration.
   */
  @Column({ type: 'integer', default: 1 })
  version!: number;

  /** Carried in access tokens; incremented to revoke every session at once. */
  @Column({ name: 'token_version', type: 'integer', default: 0 })
  tokenVersion!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
