/**
 * What an audit event says: who (actor), did what (action), to which object (target),
 * in which scope, in which request, with which outcome. Never sealed content, never a
 * secret: `details` takes only short scalar facts (a role, a generation, a reason code).
 */
import type { AuthAuditAction } from '../auth/auth-audit-actions';
import type { CaseAuditAction } from '../cases/case-audit-actions';
import type { Role, ScopeType } from '../contract/roles';
import type { KeysAuditAction } from '../keys/keys-audit-actions';
import type { SetupAuditAction } from '../setup/setup-audit-actions';
import type { UsersAuditAction } from '../users/users-audit-actions';

/**
 * Every action of the trail. Each feature owns its own list (the feature's
 * `*-audit-actions.ts`); the trail's type is their union, imported as types only, so that
 * audit/ depends on no feature at run time. `audit.repeated` is the trail's own summary
 * of counted repeats.
 */
export type AuditAction = AuthAuditAction | UsersAuditAction | KeysAuditAction | CaseAuditAction | SetupAuditAction | 'audit.repeated';

export type AuditOutcome = 'SUCCESS' | 'FAILURE' | 'DENIED';

export interface AuditEvent {
  action: AuditAction;
  outcome: AuditOutcome;
  requestId: string;
  actor?: { userId: string; role: Role } | null;
  target?: { type: string; id: string } | null;
  scope?: { type: ScopeType; id: string | null } | null;
  details?: Record<string, string | number | boolean | null>;
  /**
   * A refusal anyone can repeat at will (a failed sign-in, a denied route): the first
   * identical event of each hour is written in full, the repeats counted and appended as
   * one `audit.repeated` event when the hour is over (audit.service.ts). The writing
   * feature decides; lockouts, refresh-token reuse and successes are never repeatable.
   */
  repeatable?: boolean;
}
