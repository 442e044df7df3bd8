/**
 * Every query on invitations, as raw SQL returning snake_case rows. Codes are 32 random
 * bytes shown once; only their SHA-256 is stored and looked up. Spending and withdrawal
 * are single conditional UPDATEs, so a code is used once even by two simultaneous
 * enrolments, and a withdrawn code can never be spent. Listings never select the code
 * hash.
 *
 * Administration takes the `SystemScope` (it bounds no row: administrators see every
 * invitation). Spending is the one query without it: its caller has no session, and the
 * presented code (by its hash) together with the e-mail is what bounds it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Role } from '../contract/roles';
import type { SystemScope } from '../common/authz/scope';

export const INVITATION_TTL_HOURS = 7 * 24;

export function hashInvitationCode(code: string): Buffer {
  return createHash('sha256').update(code, 'utf8').digest();
}

/** An invitation as administrators see it: no code, no hash. */
export interface InvitationRow {
  id: string;
  email: string;
  display_name: string | null;
  role: Role;
  embassy_id: string | null;
  organisation_id: string | null;
  created_by: string | null;
  created_at: Date;
  expires_at: Date;
}

/** What spending an invitation yields: who the account will be. */
export interface SpentInvitationRow {
  id: string;
  email: string;
  display_name: string | null;
  role: Role;
  embassy_id: string | null;
  organisation_id: string | null;
  replaces_user_id: string | null;
}

export interface NewInvitation {
  email: string;
  /** Already normalised (display-name.ts); null: none. */
  displayName: string | null;
  role: Role;
  embassyId: string | null;
  organisationId: string | null;
  createdBy: string;
  /** A re-enrolment of this existing account (lost password and lost recovery key). */
  replacesUserId?: string;
}

const LISTED_COLUMNS = 'id, email, display_name, role, embassy_id, organisation_id, created_by, created_at, expires_at';

const REVOKE_OPEN_FOR_EMAIL = `UPDATE invitations SET revoked_at = $2 WHERE email = $1 AND used_at IS NULL AND revoked_at IS NULL`;

const INSERT_INVITATION = `INSERT INTO invitations (code_hash, email, role, embassy_id, organisation_id, created_by, expires_at, replaces_user_id, display_name)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${LISTED_COLUMNS}`;

const SPEND_INVITATION = `UPDATE invitations SET used_at = $3
  WHERE code_hash = $1 AND email = $2 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $3
  RETURNING id, email, display_name, role, embassy_id, organisation_id, replaces_user_id`;

const LIST_OPEN = `SELECT ${LISTED_COLUMNS} FROM invitations
  WHERE used_at IS NULL AND revoked_at IS NULL AND expires_at > $1
    AND ($2::uuid IS NULL OR (created_at, id) > (SELECT created_at, id FROM invitations WHERE id = $2::uuid))
  ORDER BY created_at, id LIMIT $3`;

const WITHDRAW = `UPDATE invitations SET revoked_at = $2 WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL RETURNING ${LISTED_COLUMNS}`;

const INVITATION_EXISTS = `SELECT 1 FROM invitations WHERE id = $1`;

@Injectable()
export class InvitationsRepository {
  /**
   * Creates an invitation and returns its code (the only time it exists in clear).
   * Earlier open invitations for the same e-mail are revoked: one live code per person.
   */
  async create(manager: EntityManager, _scope: SystemScope, invitation: NewInvitation, now: Date): Promise<{ row: InvitationRow; code: string }> {
    const code = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + INVITATION_TTL_HOURS * 3600_000);
    await manager.query(REVOKE_OPEN_FOR_EMAIL, [invitation.email, now]);
    const rows = (await manager.query(INSERT_INVITATION, [
      hashInvitationCode(code),
      invitation.email,
      invitation.role,
      invitation.embassyId,
      invitation.organisationId,
      invitation.createdBy,
      expiresAt,
      invitation.replacesUserId ?? null,
      invitation.displayName,
    ])) as InvitationRow[];
    return { row: rows[0], code };
  }

  /** Spends a live invitation for this e-mail; undefined when there is none. */
  async spend(manager: EntityManager, code: string, email: string, now: Date): Promise<SpentInvitationRow | undefined> {
    const [rows] = (await manager.query(SPEND_INVITATION, [hashInvitationCode(code), email, now])) as [SpentInvitationRow[], number];
    return rows[0];
  }

  /**
   * Invitations that could still be spent (unused, not withdrawn, not expired), oldest
   * first, `limit + 1` rows after the cursor's row. created_at never changes, so the
   * cursor is the last row's id and its position is read back from the table.
   */
  async listOpen(manager: EntityManager, _scope: SystemScope, now: Date, limit: number, afterId: string | undefined): Promise<InvitationRow[]> {
    return (await manager.query(LIST_OPEN, [now, afterId ?? null, limit + 1])) as InvitationRow[];
  }

  /**
   * Withdraws an unused invitation. `'not-open'` when it exists but was already used or
   * withdrawn; undefined when there is no such invitation.
   */
  async withdraw(manager: EntityManager, _scope: SystemScope, id: string, now: Date): Promise<InvitationRow | 'not-open' | undefined> {
    const [rows] = (await manager.query(WITHDRAW, [id, now])) as [InvitationRow[], number];
    if (rows[0] !== undefined) return rows[0];
    const existing = (await manager.query(INVITATION_EXISTS, [id])) as unknown[];
    return existing.length === 1 ? 'not-open' : undefined;
  }
}
