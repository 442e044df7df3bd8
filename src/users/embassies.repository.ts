/**
 * Every query on embassies, as raw SQL returning `EmbassyRow`s. Writes take the
 * transaction's EntityManager (their audit event shares it) and the Clock's instant. A
 * duplicate (country, city, name) is decided by the unique index and comes back as
 * `'duplicate'`, for the service to answer 409; an update names the version it was based
 * on, checked in the UPDATE's WHERE, so a stale one matches nothing (and two concurrent
 * updates of one version cannot both succeed). Lists are keyset-paginated on (name, id).
 *
 * Embassies are administered in the system scope: the `SystemScope` every method takes
 * bounds no row (an administrator reaches them all) but proves the caller passed
 * `systemScope(actor)`. Never opens a transaction, never holds the DataSource.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { SystemScope } from '../common/authz/scope';
import { isUniqueViolation } from '../common/database/unique-violation';

const UNIQUE_INDEX = 'embassies_country_city_name_key';
const COLUMNS = 'id, name, country, city, created_at, updated_at, version';

export interface EmbassyRow {
  id: string;
  name: string;
  country: string;
  city: string;
  created_at: Date;
  updated_at: Date;
  version: number;
}

export interface EmbassyChanges {
  name?: string;
  country?: string;
  city?: string;
}

// ON CONFLICT DO NOTHING keeps the transaction usable for the caller (no aborted
// statement) and lets the index alone decide, even under concurrent inserts.
const INSERT_EMBASSY = `INSERT INTO embassies (name, country, city, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
  ON CONFLICT (country, city, name) DO NOTHING RETURNING ${COLUMNS}`;

const UPDATE_EMBASSY = `UPDATE embassies SET name = COALESCE($2, name), country = COALESCE($3, country), city = COALESCE($4, city), updated_at = $5,
         version = version + 1
  WHERE id = $1 AND version = $6 RETURNING ${COLUMNS}`;

const SELECT_EMBASSY = `SELECT ${COLUMNS} FROM embassies WHERE id = $1`;

/** FOR KEY SHARE: the embassy cannot be deleted until the transaction ends. */
const LOCK_EMBASSY_FOR_REFERENCE = `SELECT 1 FROM embassies WHERE id = $1 FOR KEY SHARE`;

const LIST_EMBASSIES = `SELECT ${COLUMNS} FROM embassies
  WHERE $1::text IS NULL OR (name, id) > ($1::text, $2::uuid)
  ORDER BY name, id LIMIT $3`;

@Injectable()
export class EmbassiesRepository {
  async insert(
    manager: EntityManager,
    _scope: SystemScope,
    embassy: { name: string; country: string; city: string },
    now: Date,
  ): Promise<EmbassyRow | 'duplicate'> {
    const rows = (await manager.query(INSERT_EMBASSY, [embassy.name, embassy.country, embassy.city, now])) as EmbassyRow[];
    return rows[0] ?? 'duplicate';
  }

  /** Undefined when no embassy `id` is at `version` (missing, or changed since): the caller reads it to tell which. */
  async update(
    manager: EntityManager,
    _scope: SystemScope,
    id: string,
    version: number,
    changes: EmbassyChanges,
    now: Date,
  ): Promise<EmbassyRow | 'duplicate' | undefined> {
    try {
      const [rows] = (await manager.query(UPDATE_EMBASSY, [id, changes.name ?? null, changes.country ?? null, changes.city ?? null, now, version])) as [
        EmbassyRow[],
        number,
      ];
      return rows[0];
    } catch (error) {
      if (isUniqueViolation(error, UNIQUE_INDEX)) return 'duplicate';
      throw error;
    }
  }

  async findById(manager: EntityManager, _scope: SystemScope, id: string): Promise<EmbassyRow | undefined> {
    const rows = (await manager.query(SELECT_EMBASSY, [id])) as EmbassyRow[];
    return rows[0];
  }

  /**
   * Locks the embassy against deletion until the transaction ends, so that a user or
   * invitation placed in it cannot end up pointing at nothing.
   */
  async existsForReference(manager: EntityManager, _scope: SystemScope, id: string): Promise<boolean> {
    const rows = (await manager.query(LOCK_EMBASSY_FOR_REFERENCE, [id])) as unknown[];
    return rows.length === 1;
  }

  /** `limit + 1` rows after the cursor's (name, id), so the caller knows whether more follow. */
  async list(manager: EntityManager, _scope: SystemScope, limit: number, after: { name: string; id: string } | undefined): Promise<EmbassyRow[]> {
    return (await manager.query(LIST_EMBASSIES, [after?.name ?? null, after?.id ?? null, limit + 1])) as EmbassyRow[];
  }
}
