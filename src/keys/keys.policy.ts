/**
 * Who may touch which team keyring, as small pure functions. A member acts only on
 * their own scope: a scope id sent by the client that differs from the caller's is
 * answered like a scope that does not exist (404), never acted upon. The route
 * permission (permissions.ts) has already limited callers to key-holding roles.
 *
 * This module must never read the database or accept a scope the actor does not have.
 */
import { requireScopeId, type Actor } from '../common/authz/actor';
import type { ScopeType } from '../common/authz/roles';
import { NotFoundProblem } from '../common/http/problem';

export interface TeamScope {
  readonly id: string;
  readonly type: ScopeType;
}

/** The one keyring a member may manage: their own scope's. */
export function ownTeamScope(actor: Actor): TeamScope {
  return { id: requireScopeId(actor).toLowerCase(), type: actor.scope.type };
}

/** A scope id named in client-made material must be the caller's own. */
export function assertOwnScope(own: TeamScope, claimedScopeId: string): void {
  if (claimedScopeId.toLowerCase() !== own.id) throw new NotFoundProblem('team');
}

/**
 * A rotation re-grants exactly the members who hold the current generation and may
 * still hold a key: a missing one would lose the scope's keys, an extra one (who never
 * had the key) must first be granted through the fingerprint check.
 */
export function compareRecipients(
  holders: readonly string[],
  recipients: readonly string[],
): { missing: string[]; unexpected: string[] } {
  const held = new Set(holders);
  const granted = new Set(recipients);
  return {
    missing: holders.filter((id) => !granted.has(id)),
    unexpected: recipients.filter((id) => !held.has(id)),
  };
}
