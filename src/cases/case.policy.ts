/**
 * Who may do what to a case, as data and small pure functions. The route permission
 * (CaseRead / CaseWrite: EMBASSY_CONTACT only, permissions.ts) has already limited the
 * callers; the caller's embassy (common/authz/scope.ts `ownEmbassy`) is the scope every query
 * carries; here the rules that depend on a case's clear state are decided: shredded cases take no more
 * changes, a transfer needs the defender's consent or an explicit override, a shred
 * needs the typed confirmation.
 *
 * This module must never read the database nor accept a scope the actor does not have.
 */
import { fieldProblem, ProblemException, VersionConflictProblem } from '../common/http/problem';
import { allowedNextStatuses, isAllowedTransition } from './case-status';
import type { CaseStatus } from '../contract/case-vocabulary';
import { shredConfirmation, type TransferOverrideReason } from '../contract/case-vocabulary';

interface CaseState {
  readonly reference: string;
  readonly version: number;
  readonly status: CaseStatus;
  readonly shreddedAt: Date | null;
  readonly consentToTransfer: boolean;
}

/** A shredded case keeps its clear skeleton and takes no more changes. */
export function assertNotShredded(state: Pick<CaseState, 'reference' | 'shreddedAt'>): void {
  if (state.shreddedAt !== null) {
    throw new ProblemException('conflict', `Case ${state.reference} was shredded; it takes no more changes`, {
      reason: 'shredded',
      shreddedAt: state.shreddedAt.toISOString(),
    });
  }
}

/** A change based on another version than the current one is refused, never merged silently. */
export function assertCurrentVersion(state: Pick<CaseState, 'version'>, version: number): void {
  if (state.version !== version) throw new VersionConflictProblem('case', state.version, version);
}

export function assertTransition(state: Pick<CaseState, 'status'>, to: CaseStatus): void {
  if (!isAllowedTransition(state.status, to)) {
    throw new ProblemException('conflict', `A case cannot go from ${state.status} to ${to}`, {
      reason: 'illegal-transition',
      currentStatus: state.status,
      allowed: [...allowedNextStatuses(state.status)],
    });
  }
}

export type TransferBasis = { readonly kind: 'consent' } | { readonly kind: 'override'; readonly reason: TransferOverrideReason };

/**
 * A transfer rests on the defender's recorded consent, or on an explicit override
 * reason (audited as an override). With consent recorded, an override reason is not
 * needed and is ignored: the consent is the basis.
 */
export function transferBasis(state: Pick<CaseState, 'consentToTransfer'>, overrideReason: TransferOverrideReason | undefined): TransferBasis {
  if (state.consentToTransfer) return { kind: 'consent' };
  if (overrideReason !== undefined) return { kind: 'override', reason: overrideReason };
  throw new ProblemException('conflict', 'The defender has not consented to a transfer; an overrideReason is required (it is audited)', {
    reason: 'consent-required',
  });
}

export function assertShredConfirmation(state: Pick<CaseState, 'reference'>, confirm: string): void {
  if (confirm !== shredConfirmation(state.reference)) {
    throw fieldProblem('confirm', 'must be exactly "SHRED <reference>" for this case');
  }
}
