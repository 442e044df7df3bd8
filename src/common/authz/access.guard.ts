/**
 * The one global guard: deny by default. Public routes pass; every other route needs a
 * valid access token (401 otherwise, always the same body) and a role that its
 * permission allows (403 otherwise, audited). A route that declares neither is refused:
 * forgetting a decorator closes a route instead of opening it.
 */
import { Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import { ACCESS_TOKEN_STRATEGY } from '../../auth/access-token.strategy';
import { ProblemException } from '../http/problem';
import type { Actor } from './actor';
import { IS_PUBLIC, REQUIRED_PERMISSION } from './authorize.decorator';
import { roleMay, type Permission } from './permissions';

@Injectable()
export class AccessGuard extends AuthGuard(ACCESS_TOKEN_STRATEGY) {
  constructor(
    private readonly reflector: Reflector,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) === true) return true;
    await super.canActivate(context);
    const actor = context.switchToHttp().getRequest<{ user: Actor }>().user;
    const permission = this.reflector.getAllAndOverride<Permission | undefined>(REQUIRED_PERMISSION, targets);
    if (permission !== undefined && roleMay(actor.role, permission)) return true;
    await this.dataSource.transaction((manager) =>
      this.audit.record(manager, {
        action: 'authz.denied',
        outcome: 'DENIED',
        requestId: actor.requestId,
        actor: { userId: actor.userId, role: actor.role },
        scope: actor.scope,
        details: { permission: permission ?? 'undeclared', route: `${context.getClass().name}.${context.getHandler().name}` },
      }),
    );
    throw new ProblemException('forbidden', 'Your role may not do this');
  }

  /** Every authentication failure looks the same: no hint of why. */
  override handleRequest<TUser = Actor>(error: unknown, user: TUser | false): TUser {
    // A database failure while loading the principal is ours (500), not the caller's.
    if (error !== null && error !== undefined) throw error;
    if (user === false || user === undefined || user === null) {
      throw new ProblemException('unauthenticated', 'A valid access token is required');
    }
    return user;
  }
}
