/**
 * Team keys (PROTOCOL.md): each scope's key generations, the grants that seal a
 * generation's seed to each member (signed by a member), and the data keys sealed to a
 * scope's team public key. The server stores and checks these; it can open none.
 */
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { HistoryLink } from '../crypto/key-bundles';
import type { ScopeType } from '../common/authz/roles';
import { User } from '../users/user.entity';

@Entity({ name: 'team_key_generations' })
export class TeamKeyGeneration {
  @PrimaryColumn({ name: 'scope_id', type: 'uuid' })
  scopeId!: string;

  @PrimaryColumn({ type: 'integer' })
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
  @JoinColumn({ name: 'created_by' })
  creator?: User;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

@Entity({ name: 'team_key_grants' })
@Index('team_key_grants_scope_generation_recipient_key', ['scopeId', 'generation', 'recipientId'], { unique: true })
@Index('team_key_grants_recipient_id_idx', ['recipientId'])
export class TeamKeyGrantRecord {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'scope_id', type: 'uuid' })
  scopeId!: string;

  @Column({ type: 'integer' })
  generation!: number;

  @ManyToOne(() => TeamKeyGeneration, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'scope_id', referencedColumnName: 'scopeId' },
    { name: 'generation', referencedColumnName: 'generation' },
  ])
  teamKeyGeneration?: TeamKeyGeneration;

  @Column({ name: 'recipient_id', type: 'uuid' })
  recipientId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'recipient_id' })
  recipient?: User;

  @Column({ name: 'granter_id', type: 'uuid' })
  granterId!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'granter_id' })
  granter?: User;

  @Column({ name: 'recipient_box_public_key', type: 'varchar', length: 64 })
  recipientBoxPublicKey!: string;

  @Column({ name: 'sealed_team_seed', type: 'varchar', length: 128 })
  sealedTeamSeed!: string;

  @Column({ type: 'varchar', length: 128 })
  signature!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

@Entity({ name: 'data_key_wraps' })
@Index('data_key_wraps_scope_generation_idx', ['scopeId', 'generation'])
export class DataKeyWrap {
  @PrimaryColumn({ name: 'key_id', type: 'uuid' })
  keyId!: string;

  @PrimaryColumn({ name: 'scope_id', type: 'uuid' })
  scopeId!: string;

  @Column({ type: 'integer' })
  generation!: number;

  @ManyToOne(() => TeamKeyGeneration, { onDelete: 'RESTRICT' })
  @JoinColumn([
    { name: 'scope_id', referencedColumnName: 'scopeId' },
    { name: 'generation', referencedColumnName: 'generation' },
  ])
  teamKeyGeneration?: TeamKeyGeneration;

  /** crypto_box_seal(keyId ‖ data key) to T_g, base64url. */
  @Column({ type: 'varchar', length: 192 })
  sealed!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
