/**
 * Administration of user accounts: list and read them (through toUserResponse, never a
 * secret column), disable and enable them, change their role or scope.
 *
 * Disabling an account, or changing its role or scope, revokes every session of that
 * user in the same transaction as the change and its audit event: the token version is
 * bumped and the sessions are closed, so their access tokens fail on the very next
 * request and their refresh tokens cannot be exchanged. Leaving a scope also deletes the
 * user's team key grants. An administrator cannot do either to their own account.
 * Reached only with Permission.UsersManage (ADMIN), checked by the global guard.
 */
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AuditAction } from '../audit/audit-event';
import { AuditService } from '../audit/audit.service';
import { AuthRepository } from '../auth/auth.repository';
import type { Actor } from '../common/authz/actor';
import { scopeOf } from '../common/authz/roles';
import { Clock } from '../common/clock';
import { NotFoundProblem, ProblemException } from '../common/http/problem';
import type { ChangeRoleRequest } from './dto/change-role.dto';
import type { ListUsersQuery } from './dto/list-users.dto';
import { toUserResponse, type UserPage, type UserResponse } from './dto/user.response';
import { decodeCursor, PAGE_LIMIT_DEFAULT, pageOf } from '../common/http/keyset-cursor';
import { ScopeAssignmentsService } from './scope-assignments.service';
import { USER_STATUS_TRANSITIONS, type UserStatusTransition } from './user-status';
import { refuseSelfAdministration, type ScopeAssignment } from './users.policy';
import { UsersRepository } from './users.repository';

const STATUS_AUDIT_ACTION: Record<UserStatusTransition, AuditAction> = {
  disable: 'user.disabled',
  enable: 'user.enabled',
};

@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersRepository,
    private readonly sessions: AuthRepository,
    private readonly scopeAssignments: ScopeAssignmentsService,
    private readonly audit: AuditService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async list(_actor: Actor, query: ListUsersQuery): Promise<UserPage> {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, ['uuid'])[0];
    const limit = query.limit ?? PAGE_LIMIT_DEFAULT;
    const filters = { role: query.role, status: query.status, embassyId: query.embassyId, organizationId: query.organizationId };
    const rows = await this.users.list(this.dataSource.manager, filters, limit, after);
    return pageOf(rows, limit, toUserResponse, (row) => [row.id]);
  }

  async get(_actor: Actor, id: string): Promise<UserResponse> {
    const user = await this.users.findAccount(this.dataSource.manager, id);
    if (user === undefined) throw new NotFoundProblem('user');
    return toUserResponse(user);
  }

  disable(actor: Actor, id: string): Promise<UserResponse> {
    refuseSelfAdministration(actor, id, 'disable');
    return this.changeStatus(actor, id, 'disable');
  }

  enable(actor: Actor, id: string): Promise<UserResponse> {
    return this.changeStatus(actor, id, 'enable');
  }

  async changeRole(actor: Actor, id: string, request: ChangeRoleRequest): Promise<UserResponse> {
    refuseSelfAdministration(actor, id, 'change the role or scope of');
    const next: ScopeAssignment = { role: request.role, embassyId: request.embassyId ?? null, organizationId: request.organizationId ?? null };
    this.scopeAssignments.checkShape(next);
    return this.dataSource.transaction(async (manager) => {
      const current = await this.users.lockAccount(manager, id);
      if (current === undefined) throw new NotFoundProblem('user');
      await this.scopeAssignments.checkTargetsExist(manager, next);
      const before = scopeOf(current.role, current.embassyId, current.organizationId);
      const after = scopeOf(next.role, next.embassyId, next.organizationId);
      const scopeChanged = before.type !== after.type || before.id !== after.id;
      // Asking for what the account already has changes nothing, so nothing is revoked
      // or audited: a retried request must not log the user out twice.
      if (!scopeChanged && current.role === next.role) return toUserResponse(current);

      const now = this.clock.now();
      const updated = await this.users.changeRoleAndScope(manager, id, next, now);
      const grantsRemoved = scopeChanged ? await this.users.deleteTeamKeyGrants(manager, id) : 0;
      await this.sessions.revokeAllSessions(manager, id, 'role-changed', now);
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

  private async changeStatus(actor: Actor, id: string, transition: UserStatusTransition): Promise<UserResponse> {
    const { from, to } = USER_STATUS_TRANSITIONS[transition];
    return this.dataSource.transaction(async (manager) => {
      const now = this.clock.now();
      const updated = await this.users.changeStatus(manager, id, from, to, now);
      if (updated === undefined) {
        const existing = await this.users.findAccount(manager, id);
        if (existing === undefined) throw new NotFoundProblem('user');
        throw new ProblemException('conflict', `The account is ${existing.status}; cannot ${transition} it`, { currentStatus: existing.status });
      }
      // A disabled account's sessions end now, not when their access tokens expire.
      // Enabling revokes nothing: the sessions ended when the account was disabled, and
      // the user signs in again.
      if (to === 'DISABLED') await this.sessions.revokeAllSessions(manager, id, 'disabled', now);
      await this.audit.record(manager, {
        action: STATUS_AUDIT_ACTION[transition],
        outcome: 'SUCCESS',
        requestId: actor.requestId,
        actor: { userId: actor.userId, role: actor.role },
        target: { type: 'user', id },
        scope: scopeOf(updated.role, updated.embassyId, updated.organizationId),
      });
      return toUserResponse(updated);
    });
  }
}
