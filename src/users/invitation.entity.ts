/**
 * An invitation to enrol: made by an administrator for one e-mail, role and scope,
 * delivered out of band. Only the SHA-256 of its one-time code is stored (the code is
 * 32 random bytes); it expires and is used once.
 */
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '../contract/roles';
import { Embassy } from './embassy.entity';
import { Organisation } from './organisation.entity';
import { ROLE_IS_KNOWN_SQL, ROLE_MATCHES_SCOPE_SQL } from './role-scope.checks';
import { User } from './user.entity';

@Entity({ name: 'invitations' })
@Index('invitations_code_hash_key', ['codeHash'], { unique: true })
@Index('invitations_email_idx', ['email'])
@Check('invitations_role_check', ROLE_IS_KNOWN_SQL)
@Check('invitations_scope_check', ROLE_MATCHES_SCOPE_SQL)
export class Invitation {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'invitations_pkey' })
  id!: string;

  @Column({ name: 'code_hash', type: 'bytea' })
  codeHash!: Buffer;

  @Column({ type: 'varchar', length: 254 })
  email!: string;

  /** The invitee's display name, copied to the account at enrolment (docs/identity.md). */
  @Column({ name: 'display_name', type: 'varchar', length: 100, nullable: true })
  displayName!: string | null;

  @Column({ type: 'varchar', length: 20 })
  role!: Role;

  @Column({ name: 'embassy_id', type: 'uuid', nullable: true })
  embassyId!: string | null;

  @ManyToOne(() => Embassy, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'embassy_id', foreignKeyConstraintName: 'invitations_embassy_id_fkey' })
  embassy?: Embassy;

  @Column({ name: 'organisation_id', type: 'uuid', nullable: true })
  organisationId!: string | null;

  @ManyToOne(() => Organisation, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'invitations_organisation_id_fkey' })
  organisation?: Organisation;

  /**
   * Set for a re-enrolment: the account whose keys the enrolment replaces (lost
   * password and lost recovery key). Role and scope are that account's.
   */
  @Column({ name: 'replaces_user_id', type: 'uuid', nullable: true })
  replacesUserId!: string | null;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'replaces_user_id', foreignKeyConstraintName: 'invitations_replaces_user_id_fkey' })
  replacedUser?: User;

  /** Null for the invitation the setup token stands for. */
  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'invitations_created_by_fkey' })
  creator?: User;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  /** Set when a later invitation for the same e-mail replaces this one, or an admin withdraws it. */
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
