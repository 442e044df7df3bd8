/** An embassy: the scope of its human-rights contact points and of their cases. */
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'embassies' })
@Index('embassies_country_city_name_key', ['country', 'city', 'name'], { unique: true })
export class Embassy {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'embassies_pkey' })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** ISO 3166-1 alpha-2 of the country the embassy is in. */
  @Column({ type: 'char', length: 2 })
  country!: string;

  @Column({ type: 'varchar', length: 100 })
  city!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  /** Moves on every update; an update names the version it was based on (docs/api.md). */
  @Column({ type: 'integer', default: 1 })
  version!: number;
}
