/**
 * Administration of user accounts: list and read them (through toUserResponse, never a
 * secret column), disable and enable them, change their role or scope. Each method begins
 * with its access check (`systemScope(actor)`) and uses its actor: the audit event names
 * who did it, and an administrator cannot disable or re-role their own account.
 *
 * Disabling an account, or changing its role or scope, ends every session of that user in
 * the same transaction as the change and its audit event (auth's SessionsService: the
 * token version moves and the sessions close, so access tokens fail on the very next
 * request and refresh tokens cannot be exchanged). Leaving a scope also removes the user's
 * team key grants (keys' TeamMembershipService).
 */
import { Inject, Injectable } from '@nestjs/common';
import type { UsersAuditAction } from './users-audit-actions';
import { AuditService } from '../audit/audit.service';
import { SessionsService } from '../auth/sessions.service';
import type { Actor } from '../common/authz/actor';
import { scopeOf } from '../contract/roles';
import { systemScope, type SystemScope } from '../common/authz/scope';
import { Clock } from '../common/clock';
import { Database } from '../common/database/database';
import { decodeCursor, PAGE_LIMIT_DEFAULT, pageOf } from '../common/http/keyset-cursor';
import { NotFoundProblem, ProblemException, VersionConflictProblem } from '../common/http/problem';
import { TeamMembershipService } from '../keys/team-membership.service';
import type { ChangeRoleRequest } from './dto/change-role.dto';
import type { ChangeUserStatusRequest } from './dto/change-user-status.dto';
import type { ListUsersQuery } from './dto/list-users.dto';
import type { UserPage, UserResponse } from './dto/user.response';
import { ScopeAssignmentsService } from './scope-assignments.service';
import { USER_STATUS_TRANSITIONS, type UserStatusTransition } from './user-status';
import { toUserResponse } from './users.mappers';
import { refuseSelfAdministration, type ScopeAssignment } from './users.policy';
import { UsersRepository } from './users.repository';

const STATUS_AUDIT_ACTION: Record<UserStatusTransition, UsersAuditAction> = {
  disable: 'user.disabled',
  enable: 'user.enabled',
};

@Injectable()
export class UsersService {
  constructor(
    private readonly database: Database,
    private readonly users: UsersRepository,
    private readonly sessions: SessionsService,
    private readonly membership: TeamMembershipService,
    private readonly scopeAssignments: ScopeAssignmentsService,
    private readonly audit: AuditService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async list(actor: Actor, query: ListUsersQuery): Promise<UserPage> {
    const scope = systemScope(actor);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, ['uuid'])[0];
    const limit = query.limit ?? PAGE_LIMIT_DEFAULT;
    const filters = { role: query.role, status: query.status, embassyId: query.embassyId, organisationId: query.organisationId };
    const rows = await this.users.list(this.database.manager, scope, filters, limit, after);
    return pageOf(rows, limit, toUserResponse, (row) => [row.id]);
  }

  async get(actor: Actor, id: string): Promise<UserResponse> {
    const scope = systemScope(actor);
    const user = await this.users.findAccount(this.database.manager, scope, id);
    if (user === undefined) throw new NotFoundProblem('user');
    return toUserResponse(user);
  }

  async disable(actor: Actor, id: string, request: ChangeUserStatusRequest): Promise<UserResponse> {
    const scope = systemScope(actor);
    refuseSelfAdministration(actor, id, 'disable');
    return this.changeStatus(actor, scope, id, request.version, 'disable');
  }

  async enable(actor: Actor, id: string, request: ChangeUserStatusRequest): Promise<UserResponse> {
    const scope = systemScope(actor);
    return this.changeStatus(actor, scope, id, request.version, 'enable');
  }

  async changeRole(actor: Actor, id: string, request: ChangeRoleRequest): Promise<UserResponse> {
    const scope = systemScope(actor);
    refuseSelfAdministration(actor, id, 'change the role or scope of');
    const next: ScopeAssignment = { role: request.role, embassyId: request.embassyId ?? null, organisationId: request.organisationId ?? null };
    this.scopeAssignments.checkShape(next);
    return this.database.transaction(async (manager) => {
      const current = await this.users.lockAccount(manager, scope, id);
      if (current === undefined) throw new NotFoundProblem('user');
      if (current.version !== request.version) throw new VersionConflictProblem('account', current.version, request.version);
      await this.scopeAssignments.checkTargetsExist(manager, scope, next);
      const before = scopeOf(current.role, current.embassy_id, current.organisation_id);
      const after = scopeOf(next.role, next.embassyId, next.organisationId);
      const scopeChanged = before.type !== after.type || before.id !== after.id;
      // Asking for what the account already has changes nothing, so nothing is revoked
      // or audited: a retried request must not log the user out twice.
      if (!scopeChanged && current.role === next.role) return toUserResponse(current);

      const updated = await this.users.changeRoleAndScope(manager, scope, id, request.version, next, this.clock.now());
      const grantsRemoved = scopeChanged ? await this.membership.removeGrantsOfMovedMember(manager, scope, id) : 0;
      await this.sessions.endEverySessionOf(manager, scope, id, 'role-changed');
      await this.audit.record(manager, {
        action: 'user.role-changed',
        outcome: 'SUCCESS',
        requestId: actor.requestId,
        actor: { userId: actor.userId, role: actor.role },
        target: { type: 'user', id },
        scope: after,
        details: {
          fromRole: current.role,
          toRole: next.role,
          fromScopeType: before.type,
          fromScopeId: before.id,
          grantsRemoved,
        },
      });
      return toUserResponse(updated);
    });
  }

  private async changeStatus(actor: Actor, scope: SystemScope, id: string, version: number, transition: UserStatusTransition): Promise<UserResponse> {
    const { to } = USER_STATUS_TRANSITIONS[transition];
    return this.database.transaction(async (manager) => {
      const updated = await this.users.changeStatus(manager, scope, id, version, USER_STATUS_TRANSITIONS[transition], this.clock.now());
      if (updated === undefined) {
        // Missing, changed since the administrator read it, or not in the status the transition starts from.
        const existing = await this.users.findAccount(manager, scope, id);
        if (existing === undefined) throw new NotFoundProblem('user');
        if (existing.version !== version) throw new VersionConflictProblem('account', existing.version, version);
        throw new ProblemException('conflict', `The account is ${existing.status}; cannot ${transition} it`, { currentStatus: existing.status });
      }
      // A disabled account's sessions end now, not when their access tokens expire.
      // Enabling revokes nothing: the sessions ended when the account was disabled, and
      // the user signs in again.
      if (to === 'DISABLED') await this.sessions.endEverySessionOf(manager, scope, id, 'disabled');
      await this.audit.record(manager, {
        action: STATUS_AUDIT_ACTION[transition],
        outcome: 'SUCCESS',
        requestId: actor.requestId,
        actor: { userId: actor.userId, role: actor.role },
        target: { type: 'user', id },
        scope: scopeOf(updated.role, updated.embassy_id, updated.organisation_id),
      });
      return toUserResponse(updated);
    });
  }
}
