/**
 * The one global guard: deny by default. Public routes pass; every other route needs a
 * valid access token (401 otherwise, always the same body) and a role that its
 * permission allows (403 otherwise, audited). A route that declares neither is refused:
 * forgetting a decorator closes a route instead of opening it. A permission that reaches
 * a scope's records (TEAM_GRANT_REQUIRED) also needs a grant of the scope's current team
 * generation, read with the principal (403 `team-grant-required` otherwise, audited).
 */
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AuditService } from '../audit/audit.service';
import type { Actor } from '../common/authz/actor';
import { Database } from '../common/database/database';
import { IS_PUBLIC, REQUIRED_PERMISSION } from '../common/authz/authorize.decorator';
import { roleMay, TEAM_GRANT_REQUIRED, type Permission } from '../common/authz/permissions';
import type { ScopeType } from '../contract/roles';
import { ProblemException } from '../common/http/problem';
import { AccessTokenVerifier } from './access-token-verifier';

/** How a refusal names the caller's scope. */
const SCOPE_NOUN: Record<ScopeType, string> = { EMBASSY: 'embassy', ORGANISATION: 'organisation', NETWORK: 'network', SYSTEM: 'scope' };

@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly database: Database,
    private readonly audit: AuditService,
    private readonly tokens: AccessTokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) === true) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: Actor }>();
    const actor = await this.tokens.actorFor(request);
    // Every authentication failure looks the same: no hint of why.
    if (actor === undefined) throw new ProblemException('unauthenticated', 'A valid access token is required');
    // Where @CurrentActor() finds it.
    request.user = actor;
    const permission = this.reflector.getAllAndOverride<Permission | undefined>(REQUIRED_PERMISSION, targets);
    if (permission === undefined || !roleMay(actor.role, permission)) {
      await this.auditDenial(context, actor, { permission: permission ?? 'undeclared' });
      throw new ProblemException('forbidden', 'Your role may not do this');
    }
    if (!TEAM_GRANT_REQUIRED[permission] || actor.teamGrant?.holdsCurrent === true) return true;
    const generation = actor.teamGrant?.currentGeneration ?? null;
    await this.auditDenial(context, actor, { permission, reason: 'team-grant-required', generation });
    throw new ProblemException('team-grant-required', teamGrantDetail(SCOPE_NOUN[actor.scope.type], generation), {
      scopeId: actor.teamGrant?.scopeId ?? actor.scope.id,
      generation,
    });
  }

  private async auditDenial(context: ExecutionContext, actor: Actor, details: Record<string, string | number | null>): Promise<void> {
    await this.database.transaction((manager) =>
      this.audit.record(manager, {
        action: 'authz.denied',
        outcome: 'DENIED',
        repeatable: true,
        requestId: actor.requestId,
        actor: { userId: actor.userId, role: actor.role },
        scope: actor.scope,
        details: { ...details, route: `${context.getClass().name}.${context.getHandler().name}` },
      }),
    );
  }
}

/** Whom to ask: the team admits its members, not the server nor the administrator. */
function teamGrantDetail(scope: string, generation: number | null): string {
  if (generation === null) {
    return `Your ${scope} has no team key yet: its first member creates it (\`egide team create\`) and then grants it to the others after comparing their fingerprints`;
  }
  return (
    `You hold no grant of your ${scope}'s current team key (generation ${generation}): ask a member of your ${scope} who holds the team key ` +
    'to grant it to you after comparing your fingerprint; `egide team status` shows it'
  );
}
