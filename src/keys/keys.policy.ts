/**
 * Who may touch which team keyring, and the key checks that need no database, as small
 * pure functions. A member acts only on their own scope: `ownKeyring(actor)` is the
 * access check every keys service method begins with (it yields the branded scope id
 * every repository call takes), and a scope id sent by the client that differs from the
 * caller's is answered like a scope that does not exist (404), never acted upon. The
 * route permission (permissions.ts) has already limited callers to key-holding roles.
 *
 * This module must never read the database or accept a scope the actor does not have.
 */
import type { Actor } from '../common/authz/actor';
import type { ScopeType } from '../contract/roles';
import { ownTeamScope, type TeamScopeId } from '../common/authz/scope';
import { fieldProblem, NotFoundProblem } from '../common/http/problem';
import { TEAM_GRANT_VERSION } from '../crypto/protocol-constants';
import type { TeamKeyGrantDto } from './dto/key-material.dto';
import type { NewGrant } from './keys.repository';

export interface TeamScope {
  readonly id: TeamScopeId;
  readonly type: ScopeType;
}

/** The one keyring a member may manage: their own scope's (403 for a system account). */
export function ownKeyring(actor: Actor): TeamScope {
  return { id: ownTeamScope(actor), type: actor.scope.type };
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

export function lower(id: string): string {
  return id.toLowerCase();
}

/**
 * Protocol 2: a new grant must vouch for the recipient's signing key (version 2); a
 * version-1 grant, which vouches for none, is only ever read back, never written.
 */
export function assertCurrentGrantVersion(field: string, grant: TeamKeyGrantDto): void {
  if (grant.version !== TEAM_GRANT_VERSION) {
    throw fieldProblem(field === '' ? 'version' : `${field}.version`, `must be ${TEAM_GRANT_VERSION}: a new grant names the recipient's sign key`);
  }
}

export function toNewGrant(grant: TeamKeyGrantDto): NewGrant {
  return {
    version: grant.version,
    recipientId: lower(grant.recipientUserId),
    granterId: lower(grant.granterUserId),
    recipientBoxPublicKey: grant.recipientBoxPublicKey,
    recipientSignPublicKey: grant.recipientSignPublicKey ?? null,
    sealedTeamSeed: grant.sealedTeamSeed,
    signature: grant.signature,
  };
}
