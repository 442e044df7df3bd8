/**
 * Invitations: an administrator issues one (its code is returned this once, for
 * out-of-band delivery, and never stored in clear), lists the open ones, withdraws one, or
 * re-invites an account that lost both password and recovery key; enrolment (auth) spends
 * one. Each administration method begins with its access check (`systemScope(actor)`) and
 * commits its write with its audit event in one transaction; the audit event names the
 * invitation and its scope, never the code.
 *
 * `spend` is the exception, and exported: its caller has no session, the code is the
 * check, and what it returns (an EnrolmentGrant) is the only way to create or re-key an
 * account (AccountsService).
 */
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { Actor } from '../common/authz/actor';
import { scopeOf } from '../contract/roles';
import { systemScope, type SystemScope } from '../common/authz/scope';
import { Clock } from '../common/clock';
import { Database } from '../common/database/database';
import { normaliseEmail } from '../common/http/email-address';
import { decodeCursor, PAGE_LIMIT_DEFAULT, pageOf } from '../common/http/keyset-cursor';
import type { PageQuery } from '../common/http/page-query.dto';
import { NotFoundProblem, ProblemException, ValidationFailedException } from '../common/http/problem';
import { TeamMembershipService } from '../keys/team-membership.service';
import { DISPLAY_NAME_MAX_LENGTH, normaliseDisplayName } from '../contract/display-name';
import type { CreateInvitationRequest } from './dto/create-invitation.dto';
import type { CreatedInvitationResponse, InvitationPage } from './dto/invitation.response';
import { mintEnrolmentGrant, type EnrolmentGrant } from './enrolment-grant';
import { InvitationsRepository, type InvitationRow } from './invitations.repository';
import { ScopeAssignmentsService } from './scope-assignments.service';
import { toCreatedInvitationResponse, toInvitationResponse } from './users.mappers';
import type { ScopeAssignment } from './users.policy';
import { UsersRepository } from './users.repository';

@Injectable()
export class InvitationsService {
  constructor(
    private readonly database: Database,
    private readonly invitations: InvitationsRepository,
    private readonly users: UsersRepository,
    private readonly scopeAssignments: ScopeAssignmentsService,
    private readonly membership: TeamMembershipService,
    private readonly audit: AuditService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async create(actor: Actor, request: CreateInvitationRequest): Promise<CreatedInvitationResponse> {
    const scope = systemScope(actor);
    const email = normaliseEmail(request.email);
    const displayName = normaliseDisplayName(request.displayName);
    // NFC may (rarely) lengthen a name the DTO let through: the column holds 100.
    if (displayName !== null && displayName.length > DISPLAY_NAME_MAX_LENGTH) {
      throw new ValidationFailedException([{ field: 'displayName', messages: [`displayName must be shorter than or equal to ${DISPLAY_NAME_MAX_LENGTH} characters`] }]);
    }
    const assignment: ScopeAssignment = {
      role: request.role,
      embassyId: request.embassyId ?? null,
      organisationId: request.organisationId ?? null,
    };
    this.scopeAssignments.checkShape(assignment);
    return this.database.transaction(async (manager) => {
      await this.scopeAssignments.checkTargetsExist(manager, scope, assignment);
      // Enrolment refuses an e-mail that already has an account, so such a code could
      // never be spent: say so now rather than hand out a dead code. (A race with an
      // enrolment in flight only yields that dead code; enrolment stays the authority.)
      if (await this.users.emailTaken(manager, scope, email)) {
        throw new ProblemException('conflict', 'An account with this e-mail already exists');
      }
      const { row, code } = await this.invitations.create(manager, scope, { email, displayName, ...assignment, createdBy: actor.userId }, this.clock.now());
      await this.audit.record(manager, {
        action: 'user.invited',
        outcome: 'SUCCESS',
        requestId: actor.requestId,
        actor: { userId: actor.userId, role: actor.role },
        target: { type: 'invitation', id: row.id },
        scope: scopeOf(row.role, row.embassy_id, row.organisation_id),
        details: { role: row.role },
      });
      return toCreatedInvitationResponse(row, code, await this.scopeHasTeam(manager, scope, row));
    });
  }

  async listOpen(actor: Actor, query: PageQuery): Promise<InvitationPage> {
    const scope = systemScope(actor);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, ['uuid'])[0];
    const limit = query.limit ?? PAGE_LIMIT_DEFAULT;
    const rows = await this.invitations.listOpen(this.database.manager, scope, this.clock.now(), limit, after);
    return pageOf(rows, limit, toInvitationResponse, (row) => [row.id]);
  }

  /** Withdraws an unused invitation: its code can no longer be spent. */
  async withdraw(actor: Actor, id: string): Promise<void> {
    const scope = systemScope(actor);
    await this.database.transaction(async (manager) => {
      const withdrawn = await this.invitations.withdraw(manager, scope, id, this.clock.now());
      if (withdrawn === undefined) throw new NotFoundProblem('invitation');
      if (withdrawn === 'not-open') throw new ProblemException('conflict', 'The invitation has already been used or withdrawn');
      await this.audit.record(manager, {
        action: 'user.invitation-withdrawn',
        outcome: 'SUCCESS',
        requestId: actor.requestId,
        actor: { userId: actor.userId, role: actor.role },
        target: { type: 'invitation', id: withdrawn.id },
        scope: scopeOf(withdrawn.role, withdrawn.embassy_id, withdrawn.organisation_id),
        details: { role: withdrawn.role },
      });
    });
  }

  /**
   * Re-enrolment of an existing account whose password and recovery key are both lost:
   * an invitation for the account's own e-mail, role and scope whose enrolment replaces
   * the account's keys (auth.service.ts). The administrator never touches a key; the
   * team members re-grant after checking the new fingerprint.
   */
  async reinvite(actor: Actor, userId: string): Promise<CreatedInvitationResponse> {
    const scope = systemScope(actor);
    return this.database.transaction(async (manager) => {
      const account = await this.users.findAccount(manager, scope, userId);
      if (account === undefined) throw new NotFoundProblem('user');
      if (account.id === actor.userId) {
        throw new ProblemException('conflict', 'An administrator cannot re-enrol their own account; ask another administrator');
      }
      const { row, code } = await this.invitations.create(
        manager,
        scope,
        {
          email: account.email,
          // For the listing only: a re-enrolment keeps the account's own name.
          displayName: account.display_name,
          role: account.role,
          embassyId: account.embassy_id,
          organisationId: account.organisation_id,
          createdBy: actor.userId,
          replacesUserId: account.id,
        },
        this.clock.now(),
      );
      await this.audit.record(manager, {
        action: 'user.reinvited',
        outcome: 'SUCCESS',
        requestId: actor.requestId,
        actor: { userId: actor.userId, role: actor.role },
        target: { type: 'user', id: account.id },
        scope: scopeOf(account.role, account.embassy_id, account.organisation_id),
        details: { invitationId: row.id },
      });
      return toCreatedInvitationResponse(row, code, await this.scopeHasTeam(manager, scope, row));
    });
  }

  /**
   * Spends a live invitation for this e-mail (already normalised) inside the enrolment's
   * transaction; undefined when the code is wrong, spent, withdrawn, expired or for
   * another e-mail. One indexed UPDATE: a wrong code costs nothing more.
   */
  async spend(manager: EntityManager, code: string, email: string): Promise<EnrolmentGrant | undefined> {
    const spent = await this.invitations.spend(manager, code, email, this.clock.now());
    if (spent === undefined) return undefined;
    return mintEnrolmentGrant({
      invitationId: spent.id,
      email: spent.email,
      displayName: spent.display_name,
      role: spent.role,
      embassyId: spent.embassy_id,
      organisationId: spent.organisation_id,
      replacesUserId: spent.replaces_user_id,
    });
  }

  private async scopeHasTeam(manager: EntityManager, scope: SystemScope, invitation: InvitationRow): Promise<boolean> {
    const invitedScope = scopeOf(invitation.role, invitation.embassy_id, invitation.organisation_id);
    return invitedScope.id !== null && (await this.membership.scopeHasTeam(manager, scope, invitedScope.id));
  }
}
