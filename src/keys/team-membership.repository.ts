/**
 * The two queries other features need of team membership, as raw SQL: whether a scope has
 * a team yet, and removing every grant sealed to a member who leaves their scope or gets
 * new keys. Keys owns team_key_generations and team_key_grants; nothing outside this
 * feature writes them (users and auth come through TeamMembershipService).
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { SystemScope } from '../common/authz/scope';
import type { EnrolmentGrant } from '../users/enrolment-grant';

const SCOPE_HAS_TEAM = `SELECT 1 FROM team_key_generations WHERE scope_id = $1 LIMIT 1`;
const DELETE_GRANTS_OF = `DELETE FROM team_key_grants WHERE recipient_id = $1`;

@Injectable()
export class TeamMembershipRepository {
  async scopeHasTeam(manager: EntityManager, _scope: SystemScope, scopeId: string): Promise<boolean> {
    const rows = (await manager.query(SCOPE_HAS_TEAM, [scopeId])) as unknown[];
    return rows.length > 0;
  }

  /** Returns how many grants went. */
  async deleteGrantsOf(manager: EntityManager, _authority: SystemScope | EnrolmentGrant, userId: string): Promise<number> {
    const [, deleted] = (await manager.query(DELETE_GRANTS_OF, [userId])) as [unknown, number];
    return deleted;
  }
}
