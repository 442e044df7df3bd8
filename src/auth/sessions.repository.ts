/**
 * Every query on login sessions and refresh tokens, and the users' token version (auth's
 * column) whose increment makes every access token of an account fail at once. Raw SQL
 * returning snake_case rows; times are parameters (the server's Clock). A refresh token is
 * exchanged once: its row is locked with its session, and a second presentation finds it
 * used.
 *
 * Each method takes what entitles the caller to the sessions it touches: its own account
 * (`OwnUserId`, put in the WHERE), an administrator's `SystemScope`, or the
 * `EnrolmentGrant` of a re-enrolment. A refresh token's lookup is bounded by the token
 * itself (its hash): its caller has no session.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Role } from '../contract/roles';
import type { OwnUserId, SystemScope } from '../common/authz/scope';
import type { EnrolmentGrant } from '../users/enrolment-grant';

/** Who may end every session of an account: the account itself, an administrator, a re-enrolment. */
export type SessionAuthority = OwnUserId | SystemScope | EnrolmentGrant;

/** A refresh token with what decides whether it may be exchanged, its row and its session's locked. */
export interface RefreshTokenRow {
  id: string;
  session_id: string;
  used_at: Date | null;
  expires_at: Date;
  session_revoked_at: Date | null;
  user_id: string;
  status: string;
  token_version: number;
  role: Role;
}

const INSERT_SESSION = `INSERT INTO login_sessions (user_id) VALUES ($1) RETURNING id`;

const INSERT_REFRESH_TOKEN = `INSERT INTO refresh_tokens (session_id, token_hash, issued_at, expires_at) VALUES ($1, $2, $3, $4)`;

const LOCK_REFRESH_TOKEN = `SELECT rt.id, rt.session_id, rt.used_at, rt.expires_at, s.revoked_at AS session_revoked_at,
       u.id AS user_id, u.status, u.token_version, u.role
  FROM refresh_tokens rt
  JOIN login_sessions s ON s.id = rt.session_id
  JOIN users u ON u.id = s.user_id
 WHERE rt.token_hash = $1
 FOR UPDATE OF rt, s`;

const MARK_REFRESH_TOKEN_USED = `UPDATE refresh_tokens SET used_at = $2 WHERE id = $1`;

const REVOKE_SESSION = `UPDATE login_sessions SET revoked_at = $4, revoked_reason = $3
  WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL`;

const REVOKE_ALL_SESSIONS = `UPDATE login_sessions SET revoked_at = $3, revoked_reason = $2
  WHERE user_id = $1 AND revoked_at IS NULL AND ($4::uuid IS NULL OR id <> $4::uuid)`;

const BUMP_TOKEN_VERSION = `UPDATE users SET token_version = token_version + 1 WHERE id = $1 RETURNING token_version`;

@Injectable()
export class SessionsRepository {
  async createSession(manager: EntityManager, holder: OwnUserId): Promise<string> {
    const rows = (await manager.query(INSERT_SESSION, [holder])) as { id: string }[];
    return rows[0].id;
  }

  /** In a session its holder opened (createSession) or exchanged a token of (lockRefreshToken) in this transaction. */
  async insertRefreshToken(manager: EntityManager, sessionId: string, tokenHash: Buffer, issuedAt: Date, expiresAt: Date): Promise<void> {
    await manager.query(INSERT_REFRESH_TOKEN, [sessionId, tokenHash, issuedAt, expiresAt]);
  }

  /** The token row and its session, locked until the transaction ends. */
  async lockRefreshToken(manager: EntityManager, tokenHash: Buffer): Promise<RefreshTokenRow | undefined> {
    const rows = (await manager.query(LOCK_REFRESH_TOKEN, [tokenHash])) as RefreshTokenRow[];
    return rows[0];
  }

  async markRefreshTokenUsed(manager: EntityManager, token: RefreshTokenRow, now: Date): Promise<void> {
    await manager.query(MARK_REFRESH_TOKEN_USED, [token.id, now]);
  }

  /** One session of the holder's; another account's session is simply not matched. */
  async revokeSession(manager: EntityManager, holder: OwnUserId, sessionId: string, reason: string, now: Date): Promise<void> {
    await manager.query(REVOKE_SESSION, [sessionId, holder, reason, now]);
  }

  /**
   * Ends every session of the user (optionally but one) and moves the token version, so
   * that every access token already issued fails on its next request. Returns the new version.
   */
  async revokeAllSessions(
    manager: EntityManager,
    _authority: SessionAuthority,
    userId: string,
    reason: string,
    now: Date,
    except?: string,
  ): Promise<number> {
    await manager.query(REVOKE_ALL_SESSIONS, [userId, reason, now, except ?? null]);
    const [rows] = (await manager.query(BUMP_TOKEN_VERSION, [userId])) as [{ token_version: number }[], number];
    return rows[0].token_version;
  }
}
