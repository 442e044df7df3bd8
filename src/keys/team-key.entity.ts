/**
 * Team keys (docs/protocol.md §4.4, §5.6): each scope's key generations, the grants that seal a
 * generation's seed to each member (signed by a member), and the data keys sealed to a
 * scope's team public key, each bound by its writer's signature to one record. The
 * server stores and checks these; it can open none.
 */
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, Unique } from 'typeorm';
import type { TeamGrantVersion } from '../crypto/protocol-constants';
import type { HistoryLink } from '../crypto/key-bundles';
import type { ScopeType } from '../contract/roles';
import { User } from '../users/user.entity';
import type { RotationState } from './rotation-state';

@Entity({ name: 'team_key_generations' })
@Index('team_key_generations_scope_id_current_key', ['scopeId'], { unique: true, where: 'superseded_at IS NULL' })
export class TeamKeyGeneration {
  @PrimaryColumn({ name: 'scope_id', type: 'uuid', primaryKeyConstraintName: 'team_key_generations_pkey' })
  scopeId!: string;

  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'team_key_generations_pkey' })
  generation!: number;

  @Column({ name: 'scope_type', type: 'varchar', length: 20 })
  scopeType!: ScopeType;

  /** T_g, X25519, base64url. */
  @Column({ name: 'team_box_public_key', type: 'varchar', length: 64 })
  teamBoxPublicKey!: string;

  @Column({ type: 'varchar', length: 128 })
  fingerprint!: string;

  /** Generation g−1's seed under a key derived from this one (absent for generation 1). */
  @Column({ name: 'history_link', type: 'jsonb', nullable: true })
  historyLink!: HistoryLink | null;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'team_key_generations_created_by_fkey' })
  creator?: User;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /**
   * Null on the scope's current generation only (one per scope, by the partial unique
   * index). A rotation sets it on generation g, under the row lock that writers of new
   * wraps take FOR SHARE, before inserting g+1 (src/keys/keyring.repository.ts).
   */
  @Column({ name: 'superseded_at', type: 'timestamptz', nullable: true })
  supersededAt!: Date | null;
}

@Entity({ name: 'team_key_grants' })
@Index('team_key_grants_scope_generation_recipient_key', ['scopeId', 'generation', 'recipientId'], { unique: true })
@Index('team_key_grants_recipient_id_idx', ['recipientId'])
@Check(
  'team_key_grants_version_check',
  `("version" = 1 AND "recipient_sign_public_key" IS NULL) OR ("version" = 2 AND "recipient_sign_public_key" IS NOT NULL)`,
)
export class TeamKeyGrantRecord {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'team_key_grants_pkey' })
  id!: string;

  @Column({ name: 'scope_id', type: 'uuid' })
  scopeId!: string;

  @Column({ type: 'integer' })
  generation!: number;

  @ManyToOne(() => TeamKeyGeneration, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'scope_id', referencedColumnName: 'scopeId', foreignKeyConstraintName: 'team_key_grants_scope_id_generation_fkey' },
    { name: 'generation', referencedColumnName: 'generation', foreignKeyConstraintName: 'team_key_grants_scope_id_generation_fkey' },
  ])
  teamKeyGeneration?: TeamKeyGeneration;

  @Column({ name: 'recipient_id', type: 'uuid' })
  recipientId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'recipient_id', foreignKeyConstraintName: 'team_key_grants_recipient_id_fkey' })
  recipient?: User;

  @Column({ name: 'granter_id', type: 'uuid' })
  granterId!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'granter_id', foreignKeyConstraintName: 'team_key_grants_granter_id_fkey' })
  granter?: User;

  /** The grant format the granter signed: 2 for every new grant, 1 for those of protocol 1. */
  @Column({ type: 'smallint', default: 1 })
  version!: TeamGrantVersion;

  @Column({ name: 'recipient_box_public_key', type: 'varchar', length: 64 })
  recipientBoxPublicKey!: string;

  /** Version 2: the recipient's Ed25519 key the grant vouches for (their registered one when made). */
  @Column({ name: 'recipient_sign_public_key', type: 'varchar', length: 64, nullable: true })
  recipientSignPublicKey!: string | null;

  @Column({ name: 'sealed_team_seed', type: 'varchar', length: 128 })
  sealedTeamSeed!: string;

  @Column({ type: 'varchar', length: 128 })
  signature!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/**
 * One wrap per (key, scope, generation): while a rotation of the scope is in progress a
 * key may have its old generation's wrap and the new one side by side (protocol.md §5.16).
 */
@Entity({ name: 'data_key_wraps' })
@Index('data_key_wraps_scope_id_generation_key_id_idx', ['scopeId', 'generation', 'keyId'])
@Index('data_key_wraps_entity_record_id_idx', ['entity', 'recordId'])
@Check('data_key_wraps_signed_check', `("writer_id" IS NULL) = ("signature" IS NULL)`)
export class DataKeyWrap {
  @PrimaryColumn({ name: 'key_id', type: 'uuid', primaryKeyConstraintName: 'data_key_wraps_pkey' })
  keyId!: string;

  @PrimaryColumn({ name: 'scope_id', type: 'uuid', primaryKeyConstraintName: 'data_key_wraps_pkey' })
  scopeId!: string;

  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'data_key_wraps_pkey' })
  generation!: number;

  @ManyToOne(() => TeamKeyGeneration, { onDelete: 'RESTRICT' })
  @JoinColumn([
    { name: 'scope_id', referencedColumnName: 'scopeId', foreignKeyConstraintName: 'data_key_wraps_scope_id_generation_fkey' },
    { name: 'generation', referencedColumnName: 'generation', foreignKeyConstraintName: 'data_key_wraps_scope_id_generation_fkey' },
  ])
  teamKeyGeneration?: TeamKeyGeneration;

  /** crypto_box_seal(keyId ‖ data key) to T_g, base64url. */
  @Column({ type: 'varchar', length: 192 })
  sealed!: string;

  /** The record the key belongs to, as the writer signed it (`case` and the case id). */
  @Column({ type: 'varchar', length: 64 })
  entity!: string;

  @Column({ name: 'record_id', type: 'uuid' })
  recordId!: string;

  /** Who signed the wrap; null for a wrap written before protocol 2 (unsigned, refused by readers). */
  @Column({ name: 'writer_id', type: 'uuid', nullable: true })
  writerId!: string | null;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'writer_id', foreignKeyConstraintName: 'data_key_wraps_writer_id_fkey' })
  writer?: User;

  /** Ed25519 by the writer over the wrap message (docs/protocol.md), base64url; null with writer_id. */
  @Column({ type: 'varchar', length: 128, nullable: true })
  signature!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/**
 * A rotation of a scope's team key from generation g to g+1 (protocol.md §5.16): started
 * with the new generation and its grants, then filled chunk by chunk with re-sealed wraps,
 * completed once no data key of the scope lacks a wrap of g+1. At most one per scope is
 * in progress (the partial unique index).
 */
@Entity({ name: 'team_key_rotations' })
@Index('team_key_rotations_scope_id_in_progress_key', ['scopeId'], { unique: true, where: "state = 'IN_PROGRESS'" })
@Unique('team_key_rotations_scope_id_to_generation_key', ['scopeId', 'toGeneration'])
@Check('team_key_rotations_state_check', `"state" IN ('IN_PROGRESS', 'COMPLETED')`)
@Check('team_key_rotations_generations_check', `"to_generation" = "from_generation" + 1`)
@Check(
  'team_key_rotations_completed_check',
  `("state" = 'COMPLETED') = ("completed_at" IS NOT NULL) AND ("completed_at" IS NULL) = ("completed_by" IS NULL)`,
)
export class TeamKeyRotation {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'team_key_rotations_pkey' })
  id!: string;

  @Column({ name: 'scope_id', type: 'uuid' })
  scopeId!: string;

  @Column({ name: 'from_generation', type: 'integer' })
  fromGeneration!: number;

  @Column({ name: 'to_generation', type: 'integer' })
  toGeneration!: number;

  @ManyToOne(() => TeamKeyGeneration, { onDelete: 'RESTRICT' })
  @JoinColumn([
    { name: 'scope_id', referencedColumnName: 'scopeId', foreignKeyConstraintName: 'team_key_rotations_scope_id_to_generation_fkey' },
    { name: 'to_generation', referencedColumnName: 'generation', foreignKeyConstraintName: 'team_key_rotations_scope_id_to_generation_fkey' },
  ])
  toTeamKeyGeneration?: TeamKeyGeneration;

  @Column({ type: 'varchar', length: 20 })
  state!: RotationState;

  @Column({ name: 'started_by', type: 'uuid' })
  startedBy!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'started_by', foreignKeyConstraintName: 'team_key_rotations_started_by_fkey' })
  starter?: User;

  /** Data keys of the scope sealed to the old generation when the rotation started. */
  @Column({ name: 'data_keys_total', type: 'integer' })
  dataKeysTotal!: number;

  @Column({ name: 'data_keys_resealed', type: 'integer', default: 0 })
  dataKeysResealed!: number;

  @Column({ type: 'integer', default: 0 })
  chunks!: number;

  @CreateDateColumn({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  @Column({ name: 'completed_by', type: 'uuid', nullable: true })
  completedBy!: string | null;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'completed_by', foreignKeyConstraintName: 'team_key_rotations_completed_by_fkey' })
  completer?: User;

  /** How many old-generation wraps the completion deleted. */
  @Column({ name: 'old_wraps_deleted', type: 'integer', nullable: true })
  oldWrapsDeleted!: number | null;
}
