/**
 * Team membership as other features may touch it, inside their own transaction: users asks
 * whether an invitation's scope has a team yet (a first member founds it) and removes the
 * grants of a member who leaves a scope; an enrolment that replaces an account's keys
 * removes the grants sealed to the old ones. Each method takes the caller's authority —
 * the system scope of an administrator's access check, or the enrolment grant a spent
 * invitation gave — never a bare id.
 *
 * A grant is the team's seed sealed to the member's key: a member who moved must not keep
 * the old scope's keys, nor show up as a holder of them, and grants sealed to replaced
 * keys are useless. (A client may still hold what it unsealed before; the team rotates to
 * shut that out, docs/protocol.md §8.)
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { SystemScope } from '../common/authz/scope';
import type { EnrolmentGrant } from '../users/enrolment-grant';
import { TeamMembershipRepository } from './team-membership.repository';

@Injectable()
export class TeamMembershipService {
  constructor(private readonly membership: TeamMembershipRepository) {}

  /** Whether the scope has a team key yet (docs/identity.md, "The first member is trusted by nobody"). */
  scopeHasTeam(manager: EntityManager, scope: SystemScope, scopeId: string): Promise<boolean> {
    return this.membership.scopeHasTeam(manager, scope, scopeId);
  }

  /** An administrator moved the member to another scope (or role): every grant goes. Returns how many. */
  removeGrantsOfMovedMember(manager: EntityManager, scope: SystemScope, userId: string): Promise<number> {
    return this.membership.deleteGrantsOf(manager, scope, userId);
  }

  /** A re-enrolment gave the account new keys: every grant sealed to the old ones goes. Returns how many. */
  removeGrantsOfReenrolledMember(manager: EntityManager, grant: EnrolmentGrant): Promise<number> {
    if (grant.replacesUserId === null) throw new Error('removeGrantsOfReenrolledMember with a grant that replaces no account');
    return this.membership.deleteGrantsOf(manager, grant, grant.replacesUserId);
  }
}
