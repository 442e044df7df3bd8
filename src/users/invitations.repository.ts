/**
 * Every query on invitations. Codes are 32 random bytes shown once; only their SHA-256
 * is stored and looked up. Consumption and withdrawal are single conditional UPDATEs,
 * so a code is used once even by two simultaneous enrolments, and a withdrawn code can
 * never be spent. Listings never select the code hash.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Role } from '../common/authz/roles';

export const INVITATION_TTL_HOURS = 7 * 24;

export function hashInvitationCode(code: string): Buffer {
  return createHash('sha256').update(code, 'utf8').digest();
}

export interface ConsumedInvitation {
  id: string;
  email: string;
  /** Copied to the new account. */
  displayName: string | null;
  role: Role;
  embassyId: string | null;
  organizationId: string | null;
  /** Set for a re-enrolment: the account whose keys are replaced. */
  replacesUserId: string | null;
}

/** An invitation as administrators see it: no code, no hash. */
export interface OpenInvitationRecord {
  id: string;
  email: string;
  displayName: string | null;
  role: Role;
  embassyId: string | null;
  organizationId: string | null;
  createdBy: string | null;
  createdAt: Date;
  expiresAt: Date;
}

interface OpenInvitationRow {
  id: string;
  email: string;
  display_name: string | null;
  role: Role;
  embassy_id: string | null;
  organization_id: string | null;
  created_by: string | null;
  created_at: Date;
  expires_at: Date;
}

const LISTED_COLUMNS = 'id, email, display_name, role, embassy_id, organization_id, created_by, created_at, expires_at';

function toOpenInvitationRecord(row: OpenInvitationRow): OpenInvitationRecord {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    role: row.role,
    embassyId: row.embassy_id,
    organizationId: row.organization_id,
    createdBy: row.created_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

export interface NewInvitation {
  email: string;
  /** Already normalised (display-name.ts); null: none. */
  displayName: string | null;
  role: Role;
  embassyId: string | null;
  organizationId: string | null;
  createdBy: string;
  /** A re-enrolment of this existing account (lost password and lost recovery key). */
  replacesUserId?: string;
}

@Injectable()
export class InvitationsRepository {
  /**
   * Creates an invitation and returns its code (the only time it exists in clear).
   * Earlier open invitations for the same e-mail are revoked: one live code per person.
   */
  async create(manager: EntityManager, invitation: NewInvitation, now: Date): Promise<{ id: string; code: string; expiresAt: Date }> {
    const code = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + INVITATION_TTL_HOURS * 3600_000);
    await manager.query(`UPDATE invitations SET revoked_at = $2 WHERE email = $1 AND used_at IS NULL AND revoked_at IS NULL`, [
      invitation.email,
      now,
    ]);
    const rows = (await manager.query(
      `INSERT INTO invitations (code_hash, email, role, embassy_id, organization_id, created_by, expires_at, replaces_user_id, display_name)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      [
        hashInvitationCode(code),
        invitation.email,
        invitation.role,
        invitation.embassyId,
        invitation.organizationId,
        invitation.createdBy,
        expiresAt,
        invitation.replacesUserId ?? null,
        invitation.displayName,
      ],
    )) as { id: string }[];
    return { id: rows[0].id, code, expiresAt };
  }

  /** Spends a live invitation for this e-mail; undefined when there is none. */
  async consume(manager: EntityManager, code: string, email: string, now: Date): Promise<ConsumedInvitation | undefined> {
    const rows = (await manager.query(
      `UPDATE invitations SET used_at = $3
        WHERE code_hash = $1 AND email = $2 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $3
        RETURNING id, email, display_name, role, embassy_id, organization_id, replaces_user_id`,
      [hashInvitationCode(code), email, now],
    )) as [
      {
        id: string;
        email: string;
        display_name: string | null;
        role: Role;
        embassy_id: string | null;
        organization_id: string | null;
        replaces_user_id: string | null;
      }[],
      number,
    ];
    const row = rows[0][0];
    if (row === undefined) return undefined;
    return {
      id: row.id,
      email: row.email,
      displayName: row.display_name,
      role: row.role,
      embassyId: row.embassy_id,
      organizationId: row.organization_id,
      replacesUserId: row.replaces_user_id,
    };
  }

  /**
   * Invitations that could still be spent (unused, not withdrawn, not expired), oldest
   * first, `limit + 1` rows after the cursor's row. created_at never changes, so the
   * cursor is the last row's id and its position is read back from the table.
   */
  async listOpen(manager: EntityManager, now: Date, limit: number, afterId: string | undefined): Promise<OpenInvitationRecord[]> {
    const rows = (await manager.query(
      `SELECT ${LISTED_COLUMNS} FROM invitations
        WHERE used_at IS NULL AND revoked_at IS NULL AND expires_at > $1
          AND ($2::uuid IS NULL OR (created_at, id) > (SELECT created_at, id FROM invitations WHERE id = $2::uuid))
        ORDER BY created_at, id LIMIT $3`,
      [now, afterId ?? null, limit + 1],
    )) as OpenInvitationRow[];
    return rows.map(toOpenInvitationRecord);
  }

  /**
   * Withdraws an unused invitation. `'not-open'` when it exists but was already used or
   * withdrawn; undefined when there is no such invitation.
   */
  async withdraw(manager: EntityManager, id: string, now: Date): Promise<OpenInvitationRecord | 'not-open' | undefined> {
    const [rows] = (await manager.query(
      `UPDATE invitations SET revoked_at = $2 WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL RETURNING ${LISTED_COLUMNS}`,
      [id, now],
    )) as [OpenInvitationRow[], number];
    if (rows[0] !== undefined) return toOpenInvitationRecord(rows[0]);
    const existing = (await manager.query(`SELECT 1 FROM invitations WHERE id = $1`, [id])) as unknown[];
    return existing.length === 1 ? 'not-open' : undefined;
  }

  /**
   * Whether the scope already has a team key. An invitation into a scope without one
   * makes its first enrolled member the team's founder (docs/identity.md).
   */
  async scopeHasTeam(manager: EntityManager, scopeId: string): Promise<boolean> {
    const rows = (await manager.query(`SELECT 1 FROM team_key_generations WHERE scope_id = $1 LIMIT 1`, [scopeId])) as unknown[];
    return rows.length > 0;
  }
}
