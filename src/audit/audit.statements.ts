/**
 * The audit trail's SQL, for the writes and reads that put their audit event into their
 * own statement (one round trip, and the event cannot be missing: if it fails, the whole
 * statement fails). This file and audit.service.ts are the only places that write
 * `audit_events`; features compose the fragment built here into their statements.
 *
 *   audited write:  WITH c AS (INSERT … RETURNING …), a AS (<auditEventFrom('c', …)>) SELECT * FROM c
 *   audited read:   WITH r AS (SELECT …),             a AS (<auditEventFrom('r', …)>) SELECT * FROM r
 *
 * One event per row of the source CTE (a read of a missing or out-of-scope record reads
 * no row and so writes no event: that answer is a 404). The reader's identity travels as
 * four parameters appended after the statement's own (`readerParameters`), so the SQL
 * text of each statement is fixed and can be prepared once.
 *
 * It must never put a value from the request into SQL text: actions, target and scope
 * types are constants of the calling feature; everything else is a parameter.
 */
import type { ScopeType } from '../contract/roles';
import { currentClientAddress } from '../common/http/request-context';
import type { AuditAction } from './audit-event';

/** Who acts, for a statement's audit event. */
export interface AuditingActor {
  readonly userId: string;
  readonly role: string;
  readonly requestId: string;
}

export interface AuditedStatementEvent {
  /** The CTE whose rows the events are about. */
  readonly source: string;
  readonly action: AuditAction;
  readonly targetType: string;
  /** SQL over the source's columns, e.g. `c.id::text`. */
  readonly targetId: string;
  readonly scopeType: ScopeType;
  /** SQL over the source's columns, e.g. `c.embassy_id`. */
  readonly scopeId: string;
  /** A jsonb SQL expression over the source's columns; constants and parameters only. */
  readonly details: string;
  /** How many parameters the statement uses before the actor's four. */
  readonly parametersBefore: number;
}

/** Only identifiers and the action pass into SQL text: refuse anything else at start-up. */
const SQL_NAME = /^[a-z_][a-z0-9_]*$/;
const SQL_ACTION = /^[a-z]+(\.[a-z-]+)+$/;

/** `INSERT INTO audit_events … SELECT … FROM <source>`: a CTE body for an audited statement. */
export function auditEventFrom(event: AuditedStatementEvent): string {
  if (!SQL_NAME.test(event.source) || !SQL_ACTION.test(event.action) || !SQL_NAME.test(event.targetType.replace(/-/g, '_'))) {
    throw new Error(`audit statement: unsafe name in ${event.source}/${event.action}/${event.targetType}`);
  }
  const p = event.parametersBefore;
  return `INSERT INTO audit_events (actor_id, actor_role, action, target_type, target_id, scope_type, scope_id, request_id, outcome, details, client_address)
          SELECT $${p + 1}::uuid, $${p + 2}, '${event.action}', '${event.targetType}', ${event.targetId}, '${event.scopeType}', ${event.scopeId},
                 $${p + 3}, 'SUCCESS', ${event.details}, $${p + 4}::inet
            FROM ${event.source}`;
}

/** The four parameters `auditEventFrom` expects after the statement's own: who, in which request, from where. */
export function actorParameters(actor: AuditingActor): [string, string, string, string | null] {
  return [actor.userId, actor.role, actor.requestId, currentClientAddress()];
}
