/**
 * The authenticated caller, as every service receives it (first argument). Built by the
 * authentication guard from a verified access token and the user's current row, so
 * role and scope are today's, not the token's.
 */
import type { Role, Scope } from './roles';

export interface Actor {
  readonly userId: string;
  readonly role: Role;
  readonly scope: Scope;
  /** The login session (refresh-token family) this request belongs to. */
  readonly sessionId: string;
  readonly requestId: string;
}

/** The scope id of a key-holding actor; services call it where a scope is required. */
export function requireScopeId(actor: Actor): string {
  if (actor.scope.id === null) throw new Error(`role ${actor.role} has no data scope`);
  return actor.scope.id;
}
