/**
 * Administration of invitations: issue one (its code is returned this once, for
 * out-of-band delivery, and never stored in clear), list the open ones, withdraw one.
 * Each write and its audit event commit in one transaction; the audit event names the
 * invitation and its scope, never the code. Reached only with Permission.UsersManage
 * (ADMIN), checked by the global guard.
 */
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { normaliseEmail } from '../auth/auth.service';
import type { Actor } from '../common/authz/actor';
import { scopeOf } from '../common/authz/roles';
import { Clock } from '../common/clock';
import { NotFoundProblem, ProblemException, ValidationFailedException } from '../common/http/problem';
import { DISPLAY_NAME_MAX_LENGTH, normaliseDisplayName } from './display-name';
import type { CreateInvitationRequest } from './dto/create-invitation.dto';
import { toInvitationResponse, type CreatedInvitationResponse, type InvitationPage } from './dto/invitation.response';
import type { PageQuery } from '../common/http/page-query.dto';
import { InvitationsRepository } from './invitations.repository';
import { decodeCursor, PAGE_LIMIT_DEFAULT, pageOf } from '../common/http/keyset-cursor';
import { ScopeAssignmentsService } from './scope-assignments.service';
import type { ScopeAssignment } from './users.policy';
import { UsersRepository } from './users.repository';

@Injectable()
export class InvitationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly invitations: InvitationsRepository,
    private readonly users: UsersRepository,
    private readonly scopeAssignments: ScopeAssignmentsService,
    private readonly audit: AuditService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async create(actor: Actor, request: CreateInvitationRequest): Promise<CreatedInvitationResponse> {
    const email = normaliseEmail(request.email);
    const displayName = normaliseDisplayName(request.displayName);
    // NFC may (rarely) lengthen a name the DTO let through: the column holds 100.
    if (displayName !== null && displayName.length > DISPLAY_NAME_MAX_LENGTH) {
      throw new ValidationFailedException([{ field: 'displayName', messages: [`displayName must be shorter than or equal to ${DISPLAY_NAME_MAX_LENGTH} characters`] }]);
    }
    const assignment: ScopeAssignment = {
      role: request.role,
      embassyId: request.embassyId ?? null,
      organizationId: request.organizationId ?? null,
    };
    this.scopeAssignments.checkShape(assignment);
    return this.dataSource.transaction(async (manager) => {
      await this.scopeAssignments.checkTargetsExist(manager, assignment);
      // Enrolment refuses an e-mail that already has an account, so such a code could
      // never be spent: say so now rather than hand out a dead code. (A race with an
      // enrolment in flight only yields that dead code; enrolment stays the authority.)
      if (await this.users.emailTaken(manager, email)) {
        throw new ProblemException('conflict', 'An account with this e-mail already exists');
      }
      const invitation = await this.invitations.create(manager, { email, displayName, ...assignment, createdBy: actor.userId }, this.clock.now());
      const scope = scopeOf(assignment.role, assignment.embassyId, assignment.organizationId);
      await this.audit.record(manager, {
        action: 'user.invited',
        outcome: 'SUCCESS',
        requestId: actor.requestId,
        actor: { userId: actor.userId, role: actor.role },
        target: { type: 'invitation', id: invitation.id },
        scope,
        details: { role: assignment.role },
      });
      return {
        id: invitation.id,
        code: invitation.code,
        email,
        displayName,
        role: assignment.role,
        scope,
        expiresAt: invitation.expiresAt.toISOString(),
        scopeHasTeam: scope.id !== null && (await this.invitations.scopeHasTeam(manager, scope.id)),
      };
    });
  }

  async listOpen(_actor: Actor, query: PageQuery): Promise<InvitationPage> {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, ['uuid'])[0];
    const limit = query.limit ?? PAGE_LIMIT_DEFAULT;
    const rows = await this.invitations.listOpen(this.dataSource.manager, this.clock.now(), limit, after);
    return pageOf(rows, limit, toInvitationResponse, (row) => [row.id]);
  }

  /** Withdraws an unused invitation: its code can no longer be spent. */
  async withdraw(actor: Actor, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const withdrawn = await this.invitations.withdraw(manager, id, this.clock.now());
      if (withdrawn === undefined) throw new NotFoundProblem('invitation');
      if (withdrawn === 'not-open') throw new ProblemException('conflict', 'The invitation has already been used or withdrawn');
      await this.audit.record(manager, {
        action: 'user.invitation-withdrawn',
        outcome: 'SUCCESS',
        requestId: actor.requestId,
        actor: { userId: actor.userId, role: actor.role },
        target: { type: 'invitation', id: withdrawn.id },
        scope: scopeOf(withdrawn.role, withdrawn.embassyId, withdrawn.organizationId),
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
    return this.dataSource.transaction(async (manager) => {
      const account = await this.users.findAccount(manager, userId);
      if (account === undefined) throw new NotFoundProblem('user');
      if (account.id === actor.userId) {
        throw new ProblemException('conflict', 'An administrator cannot re-enrol their own account; ask another administrator');
      }
      const invitation = await this.invitations.create(
        manager,
        {
          email: account.email,
          // For the listing only: a re-enrolment keeps the account's own name.
          displayName: account.displayName,
          role: account.role,
          embassyId: account.embassyId,
          organizationId: account.organizationId,
          createdBy: actor.userId,
          replacesUserId: account.id,
        },
        this.clock.now(),
      );
      const scope = scopeOf(account.role, account.embassyId, account.organizationId);
      await this.audit.record(manager, {
        action: 'user.reinvited',
        outcome: 'SUCCESS',
        requestId: actor.requestId,
        actor: { userId: actor.userId, role: actor.role },
        target: { type: 'user', id: account.id },
        scope,
        details: { invitationId: invitation.id },
      });
      const scopeHasTeam = scope.id !== null && (await this.invitations.scopeHasTeam(manager, scope.id));
      return { id: invitation.id, code: invitation.code, email: account.email, displayName: account.displayName, role: account.role, scope, expiresAt: invitation.expiresAt.toISOString(), scopeHasTeam };
    });
  }
}
