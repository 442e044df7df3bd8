/** A non-governmental organisation: the scope of its NGO users and their visa requests. */
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'organisations' })
@Index('organisations_name_key', ['name'], { unique: true })
export class Organisation {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'organisations_pkey' })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** ISO 3166-1 alpha-2 of the organisation's seat. */
  @Column({ type: 'char', length: 2 })
  country!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  /** Moves on every update; an update names the version it was based on (docs/api.md). */
  @Column({ type: 'integer', default: 1 })
  version!: number;
}
