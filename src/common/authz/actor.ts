/**
 * The authenticated caller, as every service receives it (first argument). Built by the
 * authentication guard from a verified access token and the user's current row, so
 * role and scope are today's, not the token's.
 */
import type { Role, Scope } from '../../contract/roles';

/**
 * Where the caller stands in its scope's team ("membership comes from members",
 * docs/identity.md): the scope's current team generation (null while the scope has no
 * team) and whether the caller holds a grant of it. Read in the principal query.
 */
export interface TeamGrantState {
  readonly scopeId: string;
  readonly currentGeneration: number | null;
  readonly holdsCurrent: boolean;
}

export interface Actor {
  readonly userId: string;
  readonly role: Role;
  readonly scope: Scope;
  /** Null for the system roles (ADMIN, AUDITOR), which hold no team key. */
  readonly teamGrant: TeamGrantState | null;
  /** The login session (refresh-token family) this request belongs to. */
  readonly sessionId: string;
  readonly requestId: string;
}
