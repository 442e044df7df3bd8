/**
 * Branded scope ids. Every repository method takes `(manager, scope, …)`, and the scope
 * is one of these types, which only the access checks below (and their feature
 * counterparts, e.g. cases' `ownEmbassy`) produce from a verified Actor. A swapped
 * argument — a case id where the embassy id belongs — does not compile, and a service
 * cannot reach a repository without having run its access check first.
 */
import { ProblemException } from '../http/problem';
import type { Actor } from './actor';

declare const scopeBrand: unique symbol;
type Scoped<Kind extends string> = string & { readonly [scopeBrand]: Kind };

export type EmbassyId = Scoped<'EMBASSY'>;
export type OrganisationId = Scoped<'ORGANISATION'>;
export type NetworkId = Scoped<'NETWORK'>;
/** Any one team-holding scope, for code shared by all of them (keys, keyring). */
export type TeamScopeId = EmbassyId | OrganisationId | NetworkId;
/** The caller's own account (routes that act on oneself). */
export type OwnUserId = Scoped<'OWN_USER'>;
/** System-wide administration; only obtainable from an ADMIN or AUDITOR access check. */
export type SystemScope = Scoped<'SYSTEM'>;

function forbidden(): ProblemException {
  return new ProblemException('forbidden', 'Your role may not do this');
}

/** The caller's embassy; refused (403) for anyone who is not in an embassy. */
export function ownEmbassy(actor: Actor): EmbassyId {
  if (actor.scope.type !== 'EMBASSY' || actor.scope.id === null) throw forbidden();
  return actor.scope.id.toLowerCase() as EmbassyId;
}

/** The caller's team-holding scope (embassy, organisation or network). */
export function ownTeamScope(actor: Actor): TeamScopeId {
  if (actor.scope.type === 'SYSTEM' || actor.scope.id === null) throw forbidden();
  return actor.scope.id.toLowerCase() as TeamScopeId;
}

/** System administration: ADMIN and AUDITOR only. */
export function systemScope(actor: Actor): SystemScope {
  if (actor.scope.type !== 'SYSTEM') throw forbidden();
  return 'SYSTEM' as SystemScope;
}

/** The caller's own account. */
export function ownUser(actor: Actor): OwnUserId {
  return actor.userId as OwnUserId;
}
