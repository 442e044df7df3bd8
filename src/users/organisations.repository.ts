/**
 * Every query on organisations (the NGOs). Same shape as embassies.repository.ts: the
 * transaction's manager and the Clock's instant come in, a duplicate name is decided by
 * the unique index and comes back as `'duplicate'`; lists are keyset-paginated on
 * (name, id).
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { isUniqueViolation } from './unique-violation';

const UNIQUE_INDEX = 'organizations_name_key';
const COLUMNS = 'id, name, country, created_at, updated_at';

export interface OrganisationRecord {
  id: string;
  name: string;
  country: string;
  createdAt: Date;
  updatedAt: Date;
}

interface OrganisationRow {
  id: string;
  name: string;
  country: string;
  created_at: Date;
  updated_at: Date;
}

export interface OrganisationChanges {
  name?: string;
  country?: string;
}

function toRecord(row: OrganisationRow): OrganisationRecord {
  return { id: row.id, name: row.name, country: row.country, createdAt: row.created_at, updatedAt: row.updated_at };
}

@Injectable()
export class OrganisationsRepository {
  async insert(manager: EntityManager, organisation: { name: string; country: string }, now: Date): Promise<OrganisationRecord | 'duplicate'> {
    const rows = (await manager.query(
      `INSERT INTO organizations (name, country, created_at, updated_at) VALUES ($1, $2, $3, $3)
       ON CONFLICT (name) DO NOTHING RETURNING ${COLUMNS}`,
      [organisation.name, organisation.country, now],
    )) as OrganisationRow[];
    return rows[0] === undefined ? 'duplicate' : toRecord(rows[0]);
  }

  async update(
    manager: EntityManager,
    id: string,
    changes: OrganisationChanges,
    now: Date,
  ): Promise<OrganisationRecord | 'duplicate' | undefined> {
    try {
      const [rows] = (await manager.query(
        `UPDATE organizations SET name = COALESCE($2, name), country = COALESCE($3, country), updated_at = $4
          WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, changes.name ?? null, changes.country ?? null, now],
      )) as [OrganisationRow[], number];
      return rows[0] === undefined ? undefined : toRecord(rows[0]);
    } catch (error) {
      if (isUniqueViolation(error, UNIQUE_INDEX)) return 'duplicate';
      throw error;
    }
  }

  async findById(manager: EntityManager, id: string): Promise<OrganisationRecord | undefined> {
    const rows = (await manager.query(`SELECT ${COLUMNS} FROM organizations WHERE id = $1`, [id])) as OrganisationRow[];
    return rows[0] === undefined ? undefined : toRecord(rows[0]);
  }

  /** Locks the organisation against deletion until the transaction ends (FOR KEY SHARE). */
  async existsForReference(manager: EntityManager, id: string): Promise<boolean> {
    const rows = (await manager.query(`SELECT 1 FROM organizations WHERE id = $1 FOR KEY SHARE`, [id])) as unknown[];
    return rows.length === 1;
  }

  /** `limit + 1` rows after the cursor's (name, id). */
  async list(manager: EntityManager, limit: number, after: { name: string; id: string } | undefined): Promise<OrganisationRecord[]> {
    const rows = (await manager.query(
      `SELECT ${COLUMNS} FROM organizations
        WHERE $1::text IS NULL OR (name, id) > ($1::text, $2::uuid)
        ORDER BY name, id LIMIT $3`,
      [after?.name ?? null, after?.id ?? null, limit + 1],
    )) as OrganisationRow[];
    return rows.map(toRecord);
  }
}
