/**
 * Sessions: opening one at sign-in, rotating its refresh token (reuse revokes the whole
 * family), ending one (logout) or all of an account's (logout everywhere, password change,
 * recovery, re-enrolment, and — exported for users — an administrator's disable or
 * re-role). Every write and its audit event share the caller's transaction.
 *
 * Each method begins with its access check: the caller's own account (`ownUser(actor)`),
 * the `SystemScope` of an administrator's check, the `EnrolmentGrant` of a re-enrolment,
 * or — for refresh, which has no session — the refresh token itself. This service must
 * never decide anything about the users table beyond the token version.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { Actor } from '../common/authz/actor';
import { ownUser, type OwnUserId, type SystemScope } from '../common/authz/scope';
import { Clock } from '../common/clock';
import { Database } from '../common/database/database';
import { ProblemException } from '../common/http/problem';
import type { EnrolmentGrant } from '../users/enrolment-grant';
import type { SessionTokensResponse } from './dto/session-tokens.response';
import { hashRefreshToken, SessionTokensService } from './session-tokens.service';
import { SessionsRepository } from './sessions.repository';

/** Why an administrator ended an account's sessions (login_sessions.revoked_reason). */
export type AdministrativeRevocation = 'disabled' | 'role-changed';

/** Why an account's own action ended its other sessions. */
export type OwnRevocation = 'logout-everywhere' | 'password-changed' | 'recovered';

@Injectable()
export class SessionsService {
  constructor(
    private readonly database: Database,
    private readonly sessions: SessionsRepository,
    private readonly tokens: SessionTokensService,
    private readonly audit: AuditService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /** A new session for an account that has just proven its key and code. */
  open(manager: EntityManager, holder: OwnUserId, tokenVersion: number): Promise<SessionTokensResponse & { sessionId: string }> {
    return this.tokens.openSession(manager, holder, tokenVersion);
  }

  /**
   * Exchanges a refresh token for a new pair. A token presented twice means it was
   * copied: the whole session (family) is revoked, the thief's copy and the owner's.
   * The token is the check: its hash finds its row or nothing.
   */
  async refresh(refreshToken: string, requestId: string): Promise<SessionTokensResponse> {
    const now = this.clock.now();
    const result = await this.database.transaction(async (manager) => {
      const token = await this.sessions.lockRefreshToken(manager, hashRefreshToken(refreshToken));
      if (token === undefined) return undefined;
      // Whoever holds a token of the session acts as its account, for this session only.
      const holder = token.user_id as OwnUserId;
      if (token.used_at !== null) {
        await this.sessions.revokeSession(manager, holder, token.session_id, 'refresh-token-reuse', now);
        await this.audit.record(manager, {
          action: 'auth.refresh-reuse',
          outcome: 'DENIED',
          requestId,
          actor: { userId: token.user_id, role: token.role },
          target: { type: 'session', id: token.session_id },
        });
        return undefined;
      }
      if (token.expires_at <= now || token.session_revoked_at !== null || token.status !== 'ACTIVE') return undefined;
      await this.sessions.markRefreshTokenUsed(manager, token, now);
      const next = await this.tokens.refreshToken(manager, token.session_id);
      await this.audit.record(manager, {
        action: 'auth.refresh',
        outcome: 'SUCCESS',
        requestId,
        actor: { userId: token.user_id, role: token.role },
        target: { type: 'session', id: token.session_id },
      });
      return { ...this.tokens.accessToken(token.user_id, token.session_id, token.token_version), refreshToken: next };
    });
    if (result === undefined) throw new ProblemException('unauthenticated', 'The refresh token is not valid');
    return result;
  }

  /** Ends the caller's own session. */
  async logout(actor: Actor): Promise<void> {
    const self = ownUser(actor);
    await this.database.transaction(async (manager) => {
      await this.sessions.revokeSession(manager, self, actor.sessionId, 'logout', this.clock.now());
      await this.audit.record(manager, {
        action: 'auth.logout',
        outcome: 'SUCCESS',
        requestId: actor.requestId,
        actor: { userId: actor.userId, role: actor.role },
        target: { type: 'session', id: actor.sessionId },
      });
    });
  }

  /** Ends every session of the caller's account; every access token fails at once. */
  async logoutEverywhere(actor: Actor): Promise<void> {
    const self = ownUser(actor);
    await this.database.transaction(async (manager) => {
      await this.sessions.revokeAllSessions(manager, self, self, 'logout-everywhere', this.clock.now());
      await this.audit.record(manager, {
        action: 'auth.logout-everywhere',
        outcome: 'SUCCESS',
        requestId: actor.requestId,
        actor: { userId: actor.userId, role: actor.role },
        target: { type: 'user', id: actor.userId },
      });
    });
  }

  /**
   * Ends every session of the account but `except` (the current one, after a password
   * change), inside the caller's transaction. Returns the new token version, for the
   * access token the surviving session goes on with.
   */
  endOwnSessions(manager: EntityManager, self: OwnUserId, reason: OwnRevocation, except?: string): Promise<number> {
    return this.sessions.revokeAllSessions(manager, self, self, reason, this.clock.now(), except);
  }

  /** An administrator disabled or re-roled the account: every session ends, in the administrator's transaction. */
  async endEverySessionOf(manager: EntityManager, scope: SystemScope, userId: string, reason: AdministrativeRevocation): Promise<void> {
    await this.sessions.revokeAllSessions(manager, scope, userId, reason, this.clock.now());
  }

  /** A re-enrolment gave the account new keys: every session ends, in the enrolment's transaction. */
  async endSessionsOfReenrolled(manager: EntityManager, grant: EnrolmentGrant): Promise<void> {
    if (grant.replacesUserId === null) throw new Error('endSessionsOfReenrolled with a grant that replaces no account');
    await this.sessions.revokeAllSessions(manager, grant, grant.replacesUserId, 're-enrolled', this.clock.now());
  }
}
