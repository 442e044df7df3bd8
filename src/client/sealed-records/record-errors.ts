/**
 * How the kit says "what the server returned for this record cannot be trusted": one
 * error naming the record and the reason — a protocol error code (`bad_signature`,
 * `tampered`, `wrong_key`, `unsigned_wrap`, `malformed`, …, docs/protocol.md §6) or
 * `mismatch` (a response that contradicts itself or names another record, key or
 * writer). Flows of a record type may subclass it (CaseIntegrityError).
 *
 * This module must never carry a plaintext, a key or a served value in a message: only
 * ids, the reason and a sentence about what failed.
 */
import { ProtocolError } from '../../crypto/protocol-errors';

/** What the server returned for this record does not verify or does not open: do not trust any of it. */
export class RecordIntegrityError extends Error {
  constructor(
    readonly entity: string,
    readonly recordId: string,
    /** The protocol error code or `mismatch`. */
    readonly reason: string,
    /** What failed, without the record's name (the message adds it). */
    readonly detail: string,
  ) {
    super(`${entity} ${recordId} cannot be trusted: ${detail}`);
    this.name = 'RecordIntegrityError';
  }
}

/** Runs a protocol step, turning a protocol failure into "this record cannot be trusted". */
export function verifiedStep<T>(entity: string, recordId: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof ProtocolError) throw new RecordIntegrityError(entity, recordId, error.code, error.message);
    throw error;
  }
}
