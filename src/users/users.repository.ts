/**
 * Every query of user administration, as raw SQL returning `UserAccountRow`s. It selects
 * accounts column by column — never a hash, a bundle, a salt, the TOTP secret or a public
 * key beyond its fingerprint — so that no secret column is even read into memory on these
 * routes. Writes take the transaction's EntityManager (the change, its session revocation
 * and its audit event commit together) and the Clock's instant.
 *
 * Administrators have the system scope: the `SystemScope` each method takes bounds no row
 * but proves the access check ran; filters are parameters. Session revocation is not here
 * (auth's SessionsService), nor are team key grants (keys' TeamMembershipService).
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Role } from '../contract/roles';
import type { SystemScope } from '../common/authz/scope';
import type { UserStatus } from '../contract/roles';

const ACCOUNT_COLUMNS = 'id, email, display_name, role, embassy_id, organisation_id, status, fingerprint, totp_enabled_at, locked_until, created_at, version';

export interface UserAccountRow {
  id: string;
  email: string;
  display_name: string | null;
  role: Role;
  embassy_id: string | null;
  organisation_id: string | null;
  status: UserStatus;
  fingerprint: string;
  totp_enabled_at: Date | null;
  locked_until: Date | null;
  created_at: Date;
  version: number;
}

export interface UserFilters {
  role?: Role;
  status?: UserStatus;
  embassyId?: string;
  organisationId?: string;
}

export interface RoleAssignment {
  role: Role;
  embassyId: string | null;
  organisationId: string | null;
}

const SELECT_ACCOUNT = `SELECT ${ACCOUNT_COLUMNS} FROM users WHERE id = $1`;
const LOCK_ACCOUNT = `SELECT ${ACCOUNT_COLUMNS} FROM users WHERE id = $1 FOR UPDATE`;
const EMAIL_TAKEN = `SELECT 1 FROM users WHERE email = $1`;

// embassy_id and organisation_id are indexed; role and status are not: five roles and two
// statuses over a table of one row per person, where a scan is what the planner would choose.
const LIST_ACCOUNTS = `SELECT ${ACCOUNT_COLUMNS} FROM users
  WHERE ($1::text IS NULL OR role = $1::text)
    AND ($2::text IS NULL OR status = $2::text)
    AND ($3::uuid IS NULL OR embassy_id = $3::uuid)
    AND ($4::uuid IS NULL OR organisation_id = $4::uuid)
    AND ($5::uuid IS NULL OR (created_at, id) > (SELECT created_at, id FROM users WHERE id = $5::uuid))
  ORDER BY created_at, id LIMIT $6`;

const CHANGE_STATUS = `UPDATE users SET status = $3, updated_at = $4, version = version + 1
  WHERE id = $1 AND status = $2 AND version = $5 RETURNING ${ACCOUNT_COLUMNS}`;

const CHANGE_ROLE_AND_SCOPE = `UPDATE users SET role = $2, embassy_id = $3, organisation_id = $4, updated_at = $5, version = version + 1
  WHERE id = $1 AND version = $6 RETURNING ${ACCOUNT_COLUMNS}`;

@Injectable()
export class UsersRepository {
  async findAccount(manager: EntityManager, _scope: SystemScope, id: string): Promise<UserAccountRow | undefined> {
    const rows = (await manager.query(SELECT_ACCOUNT, [id])) as UserAccountRow[];
    return rows[0];
  }

  /** The account, row-locked until the transaction ends: a role change reads, decides and writes it alone. */
  async lockAccount(manager: EntityManager, _scope: SystemScope, id: string): Promise<UserAccountRow | undefined> {
    const rows = (await manager.query(LOCK_ACCOUNT, [id])) as UserAccountRow[];
    return rows[0];
  }

  async emailTaken(manager: EntityManager, _scope: SystemScope, email: string): Promise<boolean> {
    const rows = (await manager.query(EMAIL_TAKEN, [email])) as unknown[];
    return rows.length === 1;
  }

  /**
   * Accounts matching every given filter, oldest first, `limit + 1` rows after the
   * cursor's row (created_at never changes, so the cursor is an id whose position is
   * read back).
   */
  async list(manager: EntityManager, _scope: SystemScope, filters: UserFilters, limit: number, afterId: string | undefined): Promise<UserAccountRow[]> {
    return (await manager.query(LIST_ACCOUNTS, [
      filters.role ?? null,
      filters.status ?? null,
      filters.embassyId ?? null,
      filters.organisationId ?? null,
      afterId ?? null,
      limit + 1,
    ])) as UserAccountRow[];
  }

  /**
   * Moves an account from one status to another in one conditional UPDATE, on the version
   * the administrator read: two administrators disabling at once cannot both succeed.
   * Undefined when the account is missing, not in `from`, or no longer at `version`.
   */
  async changeStatus(
    manager: EntityManager,
    _scope: SystemScope,
    id: string,
    version: number,
    transition: { from: UserStatus; to: UserStatus },
    now: Date,
  ): Promise<UserAccountRow | undefined> {
    const [rows] = (await manager.query(CHANGE_STATUS, [id, transition.from, transition.to, now, version])) as [UserAccountRow[], number];
    return rows[0];
  }

  /** On an account the caller locked (lockAccount) in this transaction and found at `version`. */
  async changeRoleAndScope(
    manager: EntityManager,
    _scope: SystemScope,
    id: string,
    version: number,
    assignment: RoleAssignment,
    now: Date,
  ): Promise<UserAccountRow> {
    const [rows] = (await manager.query(CHANGE_ROLE_AND_SCOPE, [id, assignment.role, assignment.embassyId, assignment.organisationId, now, version])) as [
      UserAccountRow[],
      number,
    ];
    if (rows[0] === undefined) throw new Error('changeRoleAndScope on an account that the caller did not lock at this version');
    return rows[0];
  }
}
