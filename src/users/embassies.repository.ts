/**
 * Every query on embassies. Writes take the transaction's EntityManager (their audit
 * event shares it) and the Clock's instant. A duplicate (country, city, name) is
 * decided by the unique index and comes back as `'duplicate'`, for the service to
 * answer 409. Lists are keyset-paginated on (name, id).
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { isUniqueViolation } from './unique-violation';

const UNIQUE_INDEX = 'embassies_country_city_name_key';
const COLUMNS = 'id, name, country, city, created_at, updated_at';

export interface EmbassyRecord {
  id: string;
  name: string;
  country: string;
  city: string;
  createdAt: Date;
  updatedAt: Date;
}

interface EmbassyRow {
  id: string;
  name: string;
  country: string;
  city: string;
  created_at: Date;
  updated_at: Date;
}

export interface EmbassyChanges {
  name?: string;
  country?: string;
  city?: string;
}

function toRecord(row: EmbassyRow): EmbassyRecord {
  return { id: row.id, name: row.name, country: row.country, city: row.city, createdAt: row.created_at, updatedAt: row.updated_at };
}

@Injectable()
export class EmbassiesRepository {
  async insert(
    manager: EntityManager,
    embassy: { name: string; country: string; city: string },
    now: Date,
  ): Promise<EmbassyRecord | 'duplicate'> {
    // ON CONFLICT DO NOTHING keeps the transaction usable for the caller (no aborted
    // statement) and lets the index alone decide, even under concurrent inserts.
    const rows = (await manager.query(
      `INSERT INTO embassies (name, country, city, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
       ON CONFLICT (country, city, name) DO NOTHING RETURNING ${COLUMNS}`,
      [embassy.name, embassy.country, embassy.city, now],
    )) as EmbassyRow[];
    return rows[0] === undefined ? 'duplicate' : toRecord(rows[0]);
  }

  async update(manager: EntityManager, id: string, changes: EmbassyChanges, now: Date): Promise<EmbassyRecord | 'duplicate' | undefined> {
    try {
      const [rows] = (await manager.query(
        `UPDATE embassies SET name = COALESCE($2, name), country = COALESCE($3, country), city = COALESCE($4, city), updated_at = $5
          WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, changes.name ?? null, changes.country ?? null, changes.city ?? null, now],
      )) as [EmbassyRow[], number];
      return rows[0] === undefined ? undefined : toRecord(rows[0]);
    } catch (error) {
      if (isUniqueViolation(error, UNIQUE_INDEX)) return 'duplicate';
      throw error;
    }
  }

  async findById(manager: EntityManager, id: string): Promise<EmbassyRecord | undefined> {
    const rows = (await manager.query(`SELECT ${COLUMNS} FROM embassies WHERE id = $1`, [id])) as EmbassyRow[];
    return rows[0] === undefined ? undefined : toRecord(rows[0]);
  }

  /**
   * Locks the embassy against deletion until the transaction ends (FOR KEY SHARE), so
   * that a user or invitation placed in it cannot end up pointing at nothing.
   */
  async existsForReference(manager: EntityManager, id: string): Promise<boolean> {
    const rows = (await manager.query(`SELECT 1 FROM embassies WHERE id = $1 FOR KEY SHARE`, [id])) as unknown[];
    return rows.length === 1;
  }

  /** `limit + 1` rows after the cursor's (name, id), so the caller knows whether more follow. */
  async list(manager: EntityManager, limit: number, after: { name: string; id: string } | undefined): Promise<EmbassyRecord[]> {
    const rows = (await manager.query(
      `SELECT ${COLUMNS} FROM embassies
        WHERE $1::text IS NULL OR (name, id) > ($1::text, $2::uuid)
        ORDER BY name, id LIMIT $3`,
      [after?.name ?? null, after?.id ?? null, limit + 1],
    )) as EmbassyRow[];
    return rows.map(toRecord);
  }
}
