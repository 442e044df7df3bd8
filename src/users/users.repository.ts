/**
 * Every query of user administration. It selects accounts column by column — never a
 * hash, a bundle, a salt, the TOTP secret or a public key beyond its fingerprint — so
 * that no secret column is even read into memory on these routes. Writes take the
 * transaction's EntityManager (the change, its session revocation and its audit event
 * commit together) and the Clock's instant.
 *
 * Administrators have the system scope: filters are parameters, not a scope bound.
 * Session revocation is not here: it belongs to auth/ (AuthRepository.revokeAllSessions),
 * the one place that knows what "every session ends" means.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Role } from '../common/authz/roles';
import type { UserStatus } from './user.entity';

const ACCOUNT_COLUMNS = 'id, email, display_name, role, embassy_id, organization_id, status, fingerprint, totp_enabled_at, locked_until, created_at';

export interface UserAccountRecord {
  id: string;
  email: string;
  displayName: string | null;
  role: Role;
  embassyId: string | null;
  organizationId: string | null;
  status: UserStatus;
  fingerprint: string;
  totpEnabledAt: Date | null;
  lockedUntil: Date | null;
  createdAt: Date;
}

interface UserAccountRow {
  id: string;
  email: string;
  display_name: string | null;
  role: Role;
  embassy_id: string | null;
  organization_id: string | null;
  status: UserStatus;
  fingerprint: string;
  totp_enabled_at: Date | null;
  locked_until: Date | null;
  created_at: Date;
}

export interface UserFilters {
  role?: Role;
  status?: UserStatus;
  embassyId?: string;
  organizationId?: string;
}

function toRecord(row: UserAccountRow): UserAccountRecord {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    role: row.role,
    embassyId: row.embassy_id,
    organizationId: row.organization_id,
    status: row.status,
    fingerprint: row.fingerprint,
    totpEnabledAt: row.totp_enabled_at,
    lockedUntil: row.locked_until,
    createdAt: row.created_at,
  };
}

@Injectable()
export class UsersRepository {
  async findAccount(manager: EntityManager, id: string): Promise<UserAccountRecord | undefined> {
    const rows = (await manager.query(`SELECT ${ACCOUNT_COLUMNS} FROM users WHERE id = $1`, [id])) as UserAccountRow[];
    return rows[0] === undefined ? undefined : toRecord(rows[0]);
  }

  /** The account, row-locked until the transaction ends: a role change reads, decides and writes it alone. */
  async lockAccount(manager: EntityManager, id: string): Promise<UserAccountRecord | undefined> {
    const rows = (await manager.query(`SELECT ${ACCOUNT_COLUMNS} FROM users WHERE id = $1 FOR UPDATE`, [id])) as UserAccountRow[];
    return rows[0] === undefined ? undefined : toRecord(rows[0]);
  }

  async emailTaken(manager: EntityManager, email: string): Promise<boolean> {
    const rows = (await manager.query(`SELECT 1 FROM users WHERE email = $1`, [email])) as unknown[];
    return rows.length === 1;
  }

  /**
   * Accounts matching every given filter, oldest first, `limit + 1` rows after the
   * cursor's row (created_at never changes, so the cursor is an id whose position is
   * read back). embassy_id and organization_id are indexed; role and status are not:
   * there are five roles and two statuses over a table of one row per person, where
   * a scan is what the planner would choose anyway.
   */
  async list(manager: EntityManager, filters: UserFilters, limit: number, afterId: string | undefined): Promise<UserAccountRecord[]> {
    const rows = (await manager.query(
      `SELECT ${ACCOUNT_COLUMNS} FROM users
        WHERE ($1::text IS NULL OR role = $1::text)
          AND ($2::text IS NULL OR status = $2::text)
          AND ($3::uuid IS NULL OR embassy_id = $3::uuid)
          AND ($4::uuid IS NULL OR organization_id = $4::uuid)
          AND ($5::uuid IS NULL OR (created_at, id) > (SELECT created_at, id FROM users WHERE id = $5::uuid))
        ORDER BY created_at, id LIMIT $6`,
      [filters.role ?? null, filters.status ?? null, filters.embassyId ?? null, filters.organizationId ?? null, afterId ?? null, limit + 1],
    )) as UserAccountRow[];
    return rows.map(toRecord);
  }

  /**
   * Moves an account from one status to another in one conditional UPDATE: two
   * administrators disabling at once cannot both succeed. Undefined when the account
   * is missing or not in `from`.
   */
  async changeStatus(manager: EntityManager, id: string, from: UserStatus, to: UserStatus, now: Date): Promise<UserAccountRecord | undefined> {
    const [rows] = (await manager.query(
      `UPDATE users SET status = $3, updated_at = $4 WHERE id = $1 AND status = $2 RETURNING ${ACCOUNT_COLUMNS}`,
      [id, from, to, now],
    )) as [UserAccountRow[], number];
    return rows[0] === undefined ? undefined : toRecord(rows[0]);
  }

  async changeRoleAndScope(
    manager: EntityManager,
    id: string,
    assignment: { role: Role; embassyId: string | null; organizationId: string | null },
    now: Date,
  ): Promise<UserAccountRecord> {
    const [rows] = (await manager.query(
      `UPDATE users SET role = $2, embassy_id = $3, organization_id = $4, updated_at = $5 WHERE id = $1 RETURNING ${ACCOUNT_COLUMNS}`,
      [id, assignment.role, assignment.embassyId, assignment.organizationId, now],
    )) as [UserAccountRow[], number];
    if (rows[0] === undefined) throw new Error('changeRoleAndScope on an account that the caller did not lock');
    return toRecord(rows[0]);
  }

  /**
   * Deletes every team key grant sealed to this user. Called when the user leaves a
   * scope: a grant is the old team's seed sealed to the user's key, and a moved user
   * must not keep the old scope's keys — nor show up as a holder of them. (Their
   * client may still hold a copy it unsealed before; the old team rotates to shut that
   * out, docs/protocol.md §8.) Returns how many grants went.
   */
  async deleteTeamKeyGrants(manager: EntityManager, recipientId: string): Promise<number> {
    const [, deleted] = (await manager.query(`DELETE FROM team_key_grants WHERE recipient_id = $1`, [recipientId])) as [unknown, number];
    return deleted;
  }
}
