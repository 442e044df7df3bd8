/**
 * The case state machine (docs/cases.md, States) as a transition table:
 *
 *   OPEN → ASSESSING → PROTECTION_ACTIVE ⇄ MONITORING → CLOSED → (reopened) MONITORING
 *
 * plus ASSESSING → CLOSED, for a case assessed as out of scope (not a defender, not at
 * risk, a duplicate): without it such a case would have to pass through protection
 * states it never had, and the statistics would lie. docs/cases.md records this.
 *
 * Pure data and functions: the service applies a transition with
 * `UPDATE … WHERE status = $from AND version = $v`, so a concurrent change cannot slip
 * between the check and the write. This module must never read the database.
 */
import type { CaseStatus } from '../contract/case-vocabulary';

export const INITIAL_CASE_STATUS: CaseStatus = 'OPEN';

export const CASE_STATUS_TRANSITIONS: Readonly<Record<CaseStatus, readonly CaseStatus[]>> = {
  OPEN: ['ASSESSING'],
  ASSESSING: ['PROTECTION_ACTIVE', 'CLOSED'],
  PROTECTION_ACTIVE: ['MONITORING'],
  MONITORING: ['PROTECTION_ACTIVE', 'CLOSED'],
  CLOSED: ['MONITORING'],
};

export function allowedNextStatuses(from: CaseStatus): readonly CaseStatus[] {
  return CASE_STATUS_TRANSITIONS[from];
}

export function isAllowedTransition(from: CaseStatus, to: CaseStatus): boolean {
  return CASE_STATUS_TRANSITIONS[from].includes(to);
}
