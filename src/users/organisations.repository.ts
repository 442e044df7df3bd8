/**
 * Every query on organisations (the NGOs), as raw SQL returning `OrganisationRow`s. Same
 * shape as embassies.repository.ts: the transaction's manager, the system scope (which
 * bounds no row but proves the access check ran) and the Clock's instant come in; a
 * duplicate name is decided by the unique index and comes back as `'duplicate'`; an update
 * names the version it was based on, in its WHERE; lists are keyset-paginated on (name, id).
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { SystemScope } from '../common/authz/scope';
import { isUniqueViolation } from '../common/database/unique-violation';

const UNIQUE_INDEX = 'organisations_name_key';
const COLUMNS = 'id, name, country, created_at, updated_at, version';

export interface OrganisationRow {
  id: string;
  name: string;
  country: string;
  created_at: Date;
  updated_at: Date;
  version: number;
}

export interface OrganisationChanges {
  name?: string;
  country?: string;
}

const INSERT_ORGANISATION = `INSERT INTO organisations (name, country, created_at, updated_at) VALUES ($1, $2, $3, $3)
  ON CONFLICT (name) DO NOTHING RETURNING ${COLUMNS}`;

const UPDATE_ORGANISATION = `UPDATE organisations SET name = COALESCE($2, name), country = COALESCE($3, country), updated_at = $4,
         version = version + 1
  WHERE id = $1 AND version = $5 RETURNING ${COLUMNS}`;

const SELECT_ORGANISATION = `SELECT ${COLUMNS} FROM organisations WHERE id = $1`;

/** FOR KEY SHARE: the organisation cannot be deleted until the transaction ends. */
const LOCK_ORGANISATION_FOR_REFERENCE = `SELECT 1 FROM organisations WHERE id = $1 FOR KEY SHARE`;

const LIST_ORGANISATIONS = `SELECT ${COLUMNS} FROM organisations
  WHERE $1::text IS NULL OR (name, id) > ($1::text, $2::uuid)
  ORDER BY name, id LIMIT $3`;

@Injectable()
export class OrganisationsRepository {
  async insert(manager: EntityManager, _scope: SystemScope, organisation: { name: string; country: string }, now: Date): Promise<OrganisationRow | 'duplicate'> {
    const rows = (await manager.query(INSERT_ORGANISATION, [organisation.name, organisation.country, now])) as OrganisationRow[];
    return rows[0] ?? 'duplicate';
  }

  /** Undefined when no organisation `id` is at `version` (missing, or changed since): the caller reads it to tell which. */
  async update(
    manager: EntityManager,
    _scope: SystemScope,
    id: string,
    version: number,
    changes: OrganisationChanges,
    now: Date,
  ): Promise<OrganisationRow | 'duplicate' | undefined> {
    try {
      const [rows] = (await manager.query(UPDATE_ORGANISATION, [id, changes.name ?? null, changes.country ?? null, now, version])) as [OrganisationRow[], number];
      return rows[0];
    } catch (error) {
      if (isUniqueViolation(error, UNIQUE_INDEX)) return 'duplicate';
      throw error;
    }
  }

  async findById(manager: EntityManager, _scope: SystemScope, id: string): Promise<OrganisationRow | undefined> {
    const rows = (await manager.query(SELECT_ORGANISATION, [id])) as OrganisationRow[];
    return rows[0];
  }

  /** Locks the organisation against deletion until the transaction ends. */
  async existsForReference(manager: EntityManager, _scope: SystemScope, id: string): Promise<boolean> {
    const rows = (await manager.query(LOCK_ORGANISATION_FOR_REFERENCE, [id])) as unknown[];
    return rows.length === 1;
  }

  /** `limit + 1` rows after the cursor's (name, id). */
  async list(manager: EntityManager, _scope: SystemScope, limit: number, after: { name: string; id: string } | undefined): Promise<OrganisationRow[]> {
    return (await manager.query(LIST_ORGANISATIONS, [after?.name ?? null, after?.id ?? null, limit + 1])) as OrganisationRow[];
  }
}
