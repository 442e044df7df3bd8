/**
 * What an audit event says: who (actor), did what (action), to which object (target),
 * in which scope, in which request, with which outcome. Never sealed content, never a
 * secret: `details` takes only short scalar facts (a role, a generation, a reason code).
 */
import type { Role, ScopeType } from '../contract/roles';

export const AUDIT_ACTIONS = [
  'setup.admin-created',
  'setup.rearmed',
  'auth.login',
  'auth.login-refused',
  'auth.lockout',
  'auth.refresh',
  'auth.refresh-reuse',
  'auth.logout',
  'auth.logout-everywhere',
  'auth.enrol',
  'auth.reenrolled',
  'auth.mfa-enabled',
  'auth.mfa-refused',
  'auth.password-changed',
  'auth.password-change-refused',
  'auth.recovered',
  'authz.denied',
  'embassy.created',
  'embassy.updated',
  'organisation.created',
  'organisation.updated',
  'user.invited',
  'user.reinvited',
  'user.invitation-withdrawn',
  'user.disabled',
  'user.enabled',
  'user.role-changed',
  'keys.team-created',
  'keys.grant-created',
  'keys.rotation-started',
  'keys.rotation-chunk',
  'keys.rotated',
  'keys.wraps-resigned',
  'case.created',
  'case.read',
  'case.updated',
  'case.status-changed',
  'case.assigned',
  'case.event-added',
  'case.events-read',
  'case.duplicates-searched',
  'case.transferred',
  'case.transfer-override',
  'case.shredded',
  'audit.repeated',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * Refusals anyone can repeat at will. The first of each identical event (same actor, action,
 * outcome, target, scope and details) in an hour is written in full; the repeats are counted
 * and appended as one `audit.repeated` event when the hour is over (audit.service.ts).
 * Lockouts, refresh-token reuse and every success are always written one by one.
 */
export const REPEATABLE_AUDIT_ACTIONS: ReadonlySet<AuditAction> = new Set<AuditAction>([
  'authz.denied',
  'auth.login-refused',
  'auth.mfa-refused',
  'auth.password-change-refused',
]);

export type AuditOutcome = 'SUCCESS' | 'FAILURE' | 'DENIED';

export interface AuditEvent {
  action: AuditAction;
  outcome: AuditOutcome;
  requestId: string;
  actor?: { userId: string; role: Role } | null;
  target?: { type: string; id: string } | null;
  scope?: { type: ScopeType; id: string | null } | null;
  details?: Record<string, string | number | boolean | null>;
}
