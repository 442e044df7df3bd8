/**
 * Writes audit events, always through the caller's transaction (an EntityManager inside
 * `dataSource.transaction`) so that a change and its event commit or fail together.
 * Insert only: the table refuses UPDATE, DELETE and TRUNCATE by trigger.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuditEvent } from './audit-event';

@Injectable()
export class AuditService {
  async record(manager: EntityManager, event: AuditEvent): Promise<void> {
    await manager.query(
      `INSERT INTO audit_events (actor_id, actor_role, action, target_type, target_id, scope_type, scope_id, request_id, outcome, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        event.actor?.userId ?? null,
        event.actor?.role ?? null,
        event.action,
        event.target?.type ?? null,
        event.target?.id ?? null,
        event.scope?.type ?? null,
        event.scope?.id ?? null,
        event.requestId,
        event.outcome,
        JSON.stringify(event.details ?? {}),
      ],
    );
  }
}
