/**
 * `Idempotency-Key` for POSTs that create (docs/api.md): a retry with the same key and
 * the same request returns the first response; the same key with another request is
 * refused (422). Reusable by any feature: visa requests will call it like cases do.
 *
 * Concurrency-safe without a lock of our own: the claim is an INSERT on the primary key
 * (actor, operation, key) in the operation's own transaction. A concurrent request with
 * the same key waits on that row until the first commits (then replays its response) or
 * rolls back (then runs itself). A failed operation therefore leaves no key behind.
 *
 * A key is remembered for IDEMPOTENCY_WINDOW_MS after its first use, by the server's
 * clock: later, the claim takes the expired record over as if it were absent (so expiry
 * does not depend on when the purge runs), and `purgeExpired` deletes expired records
 * (idempotency-expiry.ts runs it at start-up and every hour).
 *
 * This module must never store a request body (only its hash) nor anything but the
 * response the API already returned.
 */
import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../clock';
import { ProblemException, ValidationFailedException } from '../http/problem';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** Exported for the OpenAPI document, which declares it on the Idempotency-Key header. */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_.:-]{8,128}$/;
/** docs/api.md: a retry with the same key is recognised for 24 hours after the first request. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;
/** Rows deleted per statement, so that a large backlog never holds many row locks at once. */
const PURGE_BATCH = 5000;

export interface IdempotentOperation {
  readonly actorId: string;
  /** The operation and the path parameters that scope it, e.g. `case.event:<caseId>`. */
  readonly operation: string;
  readonly key: string;
  /** The request as validated; only its hash is kept. */
  readonly request: unknown;
}

/** The header value, checked: absent is fine, malformed is a 400 naming the header. */
export function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header : [header];
  if (value.length !== 1 || !IDEMPOTENCY_KEY_PATTERN.test(value[0])) {
    throw new ValidationFailedException([
      { field: 'Idempotency-Key', messages: ['Idempotency-Key must be 8 to 128 characters of A-Z a-z 0-9 _ . : -'] },
    ]);
  }
  return value[0];
}

/** JSON with object keys sorted, so that the same request hashes the same whatever its key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([name, item]) => `${JSON.stringify(name)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

interface StoredRow {
  request_hash: string;
  response_status: number | null;
  response_body: unknown;
}

@Injectable()
export class IdempotencyService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /**
   * Runs `work` once per key, inside the caller's transaction `manager`. Without a key it
   * simply runs. `status` is the status the route answers with, stored with the body.
   */
  async run<T>(manager: EntityManager, operation: IdempotentOperation | undefined, status: number, work: () => Promise<T>): Promise<T> {
    if (operation === undefined) return work();
    const requestHash = createHash('sha256').update(canonicalJson(operation.request)).digest('hex');
    const now = this.clock.now();
    // An expired record is taken over (its row is reset to this request); a live one is
    // left alone, and nothing is returned: the request replays it.
    const claimed = (await manager.query(
      `INSERT INTO idempotency_records (actor_id, operation, idempotency_key, request_hash, created_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (actor_id, operation, idempotency_key) DO UPDATE
          SET request_hash = EXCLUDED.request_hash, created_at = EXCLUDED.created_at, response_status = NULL, response_body = NULL
        WHERE idempotency_records.created_at <= $6
       RETURNING 1`,
      [operation.actorId, operation.operation, operation.key, requestHash, now, expiredBefore(now)],
    )) as unknown[];
    if (claimed.length === 0) return this.replay<T>(manager, operation, requestHash);
    const result = await work();
    await manager.query(
      `UPDATE idempotency_records SET response_status = $4, response_body = $5
        WHERE actor_id = $1 AND operation = $2 AND idempotency_key = $3`,
      [operation.actorId, operation.operation, operation.key, status, JSON.stringify(result)],
    );
    return result;
  }

  /** Deletes the records whose window has passed; returns how many. */
  async purgeExpired(): Promise<number> {
    const cutoff = expiredBefore(this.clock.now());
    let purged = 0;
    for (;;) {
      const [, deleted] = (await this.dataSource.query(
        `DELETE FROM idempotency_records
          WHERE ctid = ANY (ARRAY(SELECT ctid FROM idempotency_records WHERE created_at <= $1 LIMIT ${PURGE_BATCH}))`,
        [cutoff],
      )) as [unknown, number];
      purged += deleted;
      if (deleted < PURGE_BATCH) return purged;
    }
  }

  private async replay<T>(manager: EntityManager, operation: IdempotentOperation, requestHash: string): Promise<T> {
    const rows = (await manager.query(
      `SELECT request_hash, response_status, response_body FROM idempotency_records
        WHERE actor_id = $1 AND operation = $2 AND idempotency_key = $3`,
      [operation.actorId, operation.operation, operation.key],
    )) as StoredRow[];
    const stored = rows[0];
    if (stored === undefined || stored.response_status === null) {
      // Committed rows always carry their response; this is a bug, not the caller's fault.
      throw new Error('idempotency record without a response');
    }
    if (stored.request_hash !== requestHash) {
      throw new ProblemException('unprocessable', 'This Idempotency-Key was already used with another request', {
        reason: 'idempotency-key-reused',
      });
    }
    return stored.response_body as T;
  }
}

/** Records created at or before this instant have expired. */
function expiredBefore(now: Date): Date {
  return new Date(now.getTime() - IDEMPOTENCY_WINDOW_MS);
}
