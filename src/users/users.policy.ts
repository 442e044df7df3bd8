/**
 * Who may be placed where, as data: which scope field each role requires or forbids
 * (the same rule as the users_scope_check and invitations_scope_check constraints, so
 * that a bad combination is a 400 naming the field instead of a constraint error), and
 * the one thing an administrator may not do to their own account.
 *
 * Pure functions only: no database, no HTTP. The route permission (ADMIN) is checked by
 * the global guard before any of this runs.
 */
import type { Actor } from '../common/authz/actor';
import type { Role } from '../contract/roles';
import { ProblemException, type FieldError } from '../common/http/problem';

type ScopeField = 'embassyId' | 'organisationId';
type Presence = 'required' | 'forbidden';

export const SCOPE_FIELDS_OF_ROLE: Record<Role, Record<ScopeField, Presence>> = {
  ADMIN: { embassyId: 'forbidden', organisationId: 'forbidden' },
  AUDITOR: { embassyId: 'forbidden', organisationId: 'forbidden' },
  COORDINATOR: { embassyId: 'forbidden', organisationId: 'forbidden' },
  EMBASSY_CONTACT: { embassyId: 'required', organisationId: 'forbidden' },
  NGO: { embassyId: 'forbidden', organisationId: 'required' },
};

export interface ScopeAssignment {
  role: Role;
  embassyId: string | null;
  organisationId: string | null;
}

/** The field errors of a role and scope pair; empty when they agree. */
export function scopeAssignmentErrors(assignment: ScopeAssignment): FieldError[] {
  const rule = SCOPE_FIELDS_OF_ROLE[assignment.role];
  const errors: FieldError[] = [];
  for (const field of ['embassyId', 'organisationId'] as const) {
    const present = assignment[field] !== null;
    if (rule[field] === 'required' && !present) {
      errors.push({ field, messages: [`${field} is required for role ${assignment.role}`] });
    }
    if (rule[field] === 'forbidden' && present) {
      errors.push({ field, messages: [`${field} must be absent for role ${assignment.role}`] });
    }
  }
  return errors;
}

/**
 * An administrator may not disable or re-role themselves: done by accident, it can
 * leave the system without any administrator, and recovering from that needs the
 * operator (docs). Another administrator can always do it deliberately.
 */
export function refuseSelfAdministration(actor: Actor, userId: string, what: string): void {
  if (actor.userId === userId) {
    throw new ProblemException('conflict', `An administrator cannot ${what} their own account; ask another administrator`);
  }
}
