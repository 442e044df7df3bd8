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
 * This module must never store a request body (only its hash) nor anything but the
 * response the API already returned.
 */
import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ProblemException, ValidationFailedException } from '../http/problem';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const KEY_PATTERN = /^[A-Za-z0-9_.:-]{8,128}$/;

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
  if (value.length !== 1 || !KEY_PATTERN.test(value[0])) {
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
  /**
   * Runs `work` once per key, inside the caller's transaction `manager`. Without a key it
   * simply runs. `status` is the status the route answers with, stored with the body.
   */
  async run<T>(manager: EntityManager, operation: IdempotentOperation | undefined, status: number, work: () => Promise<T>): Promise<T> {
    if (operation === undefined) return work();
    const requestHash = createHash('sha256').update(canonicalJson(operation.request)).digest('hex');
    const claimed = (await manager.query(
      `INSERT INTO idempotency_records (actor_id, operation, idempotency_key, request_hash)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (actor_id, operation, idempotency_key) DO NOTHING
       RETURNING 1`,
      [operation.actorId, operation.operation, operation.key, requestHash],
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
