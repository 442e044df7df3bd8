/**
 * Checks a role and scope pair before an invitation or a role change writes it: first
 * the policy (which id the role needs), then that the embassy or organisation exists —
 * each failure a 400 naming the field. The existence check takes a key-share lock, so
 * the referenced row cannot vanish before the transaction commits; the database's
 * scope-check constraints remain the last word. Internal to users (administration only).
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { SystemScope } from '../common/authz/scope';
import { ValidationFailedException } from '../common/http/problem';
import { EmbassiesRepository } from './embassies.repository';
import { OrganisationsRepository } from './organisations.repository';
import { scopeAssignmentErrors, type ScopeAssignment } from './users.policy';

@Injectable()
export class ScopeAssignmentsService {
  constructor(
    private readonly embassies: EmbassiesRepository,
    private readonly organisations: OrganisationsRepository,
  ) {}

  /** Pure: call before opening a transaction. */
  checkShape(assignment: ScopeAssignment): void {
    const errors = scopeAssignmentErrors(assignment);
    if (errors.length > 0) throw new ValidationFailedException(errors);
  }

  /** Inside the writing transaction. */
  async checkTargetsExist(manager: EntityManager, scope: SystemScope, assignment: ScopeAssignment): Promise<void> {
    if (assignment.embassyId !== null && !(await this.embassies.existsForReference(manager, scope, assignment.embassyId))) {
      throw new ValidationFailedException([{ field: 'embassyId', messages: ['embassyId names no embassy'] }]);
    }
    if (assignment.organisationId !== null && !(await this.organisations.existsForReference(manager, scope, assignment.organisationId))) {
      throw new ValidationFailedException([{ field: 'organisationId', messages: ['organisationId names no organisation'] }]);
    }
  }
}
