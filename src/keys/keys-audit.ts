/**
 * The audit events of the team keyrings (keys.team-created, keys.grant-created,
 * keys.rotation-started, keys.rotation-chunk, keys.rotated, keys.wraps-resigned), written
 * through the audit module in the caller's transaction, and refusals audited on their own.
 * It must never put key material in an event: details are generations, counts, ids and
 * reason codes.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { KeysAuditAction } from './keys-audit-actions';
import type { Actor } from '../common/authz/actor';
import { Database } from '../common/database/database';
import { ProblemException } from '../common/http/problem';
import type { TeamScope } from './keys.policy';

export type KeysAuditDetails = Record<string, string | number | boolean | null>;

@Injectable()
export class KeysAudit {
  constructor(
    private readonly audit: AuditService,
    private readonly database: Database,
  ) {}

  /** The audit event of a team keyring change (or refusal), in the caller's transaction. */
  record(
    manager: EntityManager,
    actor: Actor,
    scope: TeamScope,
    action: KeysAuditAction,
    outcome: 'SUCCESS' | 'FAILURE',
    target: { type: 'team' | 'user' | 'rotation'; id: string },
    details: KeysAuditDetails,
  ): Promise<void> {
    return this.audit.record(manager, {
      action,
      outcome,
      requestId: actor.requestId,
      actor: { userId: actor.userId, role: actor.role },
      target,
      scope: { type: scope.type, id: scope.id },
      details,
    });
  }

  /**
   * A refused grant, rotation or chunk (forged signature, wrong recipient, stale
   * generation, a rotation not in progress) is worth knowing about: it is audited in its
   * own transaction, since the refused one rolled back, and the refusal is then returned
   * unchanged.
   */
  async refusal<T>(actor: Actor, scope: TeamScope, action: KeysAuditAction, work: () => Promise<T>, target?: { type: 'rotation'; id: string }): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof ProblemException) {
        await this.database.transaction((manager) =>
          this.record(manager, actor, scope, action, 'FAILURE', target ?? { type: 'team', id: scope.id }, {
            reason: typeof error.extensions.reason === 'string' ? error.extensions.reason : error.code,
            field: error.fieldErrors[0]?.field ?? null,
          }),
        );
      }
      throw error;
    }
  }
}
