/**
 * Writes audit events, always through the caller's transaction (an EntityManager inside
 * `dataSource.transaction`) so that a change and its event commit or fail together.
 * Insert only: audit_events refuses UPDATE, DELETE and TRUNCATE by trigger.
 *
 * Refusals that anyone can repeat at will (events marked `repeatable`) would otherwise let
 * any member grow the trail without bound. For those, the first identical event of each
 * hour (by the server's clock) is written in full; the repeats only move a counter in
 * audit_repeats, a working table outside the trail. When the hour is over, the count is
 * appended to the trail as one `audit.repeated` event (and the counter row deleted), so the
 * trail itself is never rewritten: it gains at most two events per identical refusal and
 * hour. The flush runs with every repeatable event and on a timer (AuditRepeatsFlusher).
 */
import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { currentClientAddress } from '../common/http/request-context';
import type { AuditEvent } from './audit-event';

/** The span over which identical refusals are counted instead of written. */
export const AUDIT_REPEAT_WINDOW_MS = 60 * 60 * 1000;

const INSERT_EVENT = `INSERT INTO audit_events (actor_id, actor_role, action, target_type, target_id, scope_type, scope_id, request_id, outcome, details, client_address)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`;

// One statement: the hour's counter row is created (the event is then written in full) or
// counted up (nothing is written). PostgreSQL serialises concurrent repeats on the row.
const RECORD_REPEATABLE = `WITH tally AS (
    INSERT INTO audit_repeats AS r (event_key, window_start, actor_id, actor_role, action, target_type, target_id, scope_type, scope_id,
                                    last_request_id, outcome, details, last_at, last_client_address)
    VALUES ($12, $13, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $14, $11)
    ON CONFLICT (event_key, window_start)
    DO UPDATE SET repeats = r.repeats + 1, last_request_id = EXCLUDED.last_request_id, last_at = EXCLUDED.last_at,
                  last_client_address = EXCLUDED.last_client_address
    RETURNING r.repeats = 0 AS first
  )
  INSERT INTO audit_events (actor_id, actor_role, action, target_type, target_id, scope_type, scope_id, request_id, outcome, details, client_address)
  SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM tally WHERE tally.first`;

// Closed hours leave the working table and, when anything was repeated, enter the trail as
// one summary event carrying the original details. DELETE … RETURNING takes each row once,
// however many instances flush at the same time.
const FLUSH_CLOSED_WINDOWS = `WITH closed AS (DELETE FROM audit_repeats WHERE window_start < $1 RETURNING *)
  INSERT INTO audit_events (actor_id, actor_role, action, target_type, target_id, scope_type, scope_id, request_id, outcome, client_address, details)
  SELECT actor_id, actor_role, 'audit.repeated', target_type, target_id, scope_type, scope_id, last_request_id, outcome, last_client_address,
         details || jsonb_build_object('of', action, 'repeats', repeats, 'windowStart', window_start,
                                       'windowEnd', window_start + make_interval(secs => $2), 'lastAt', last_at)
    FROM closed WHERE repeats > 0
   ORDER BY window_start, last_at
  RETURNING 1`;

/** What makes two events identical: everything but the request (and the time). */
function eventKey(event: AuditEvent): Buffer {
  const details = Object.entries(event.details ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const identity = [
    event.actor?.userId ?? null,
    event.actor?.role ?? null,
    event.action,
    event.outcome,
    event.target?.type ?? null,
    event.target?.id ?? null,
    event.scope?.type ?? null,
    event.scope?.id ?? null,
    details,
  ];
  return createHash('sha256').update(JSON.stringify(identity)).digest();
}

@Injectable()
export class AuditService {
  constructor(
    @Inject(Clock) private readonly clock: Clock,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async record(manager: EntityManager, event: AuditEvent): Promise<void> {
    const columns = [
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
      // The client's address: the socket's, or the forwarded one behind a trusted proxy.
      currentClientAddress(),
    ];
    if (event.repeatable !== true) {
      await manager.query(INSERT_EVENT, columns);
      return;
    }
    const now = this.clock.now();
    const windowStart = windowStartOf(now);
    await this.flushClosedWindows(manager, windowStart);
    await manager.query(RECORD_REPEATABLE, [...columns, eventKey(event), windowStart, now]);
  }

  /** Appends the counts of every hour that is over; returns how many summaries were written. */
  async flushClosedWindows(manager: EntityManager = this.dataSource.manager, before: Date = windowStartOf(this.clock.now())): Promise<number> {
    const written = (await manager.query(FLUSH_CLOSED_WINDOWS, [before, AUDIT_REPEAT_WINDOW_MS / 1000])) as unknown[];
    return written.length;
  }
}

/** Hours by the server's clock, aligned on the epoch. */
function windowStartOf(time: Date): Date {
  return new Date(Math.floor(time.getTime() / AUDIT_REPEAT_WINDOW_MS) * AUDIT_REPEAT_WINDOW_MS);
}
