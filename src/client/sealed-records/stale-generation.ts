/**
 * The stale-generation retry. A wrap is accepted only for its scope's current team
 * generation (docs/protocol.md §5.13): when a scope rotated between the moment this
 * member read its key and the moment the record arrived, the server answers 409
 * `conflict` with `reason: "stale-generation"` (and `currentGeneration`). The rule:
 * refresh every reader scope's key by the same trust rules, and — only if a generation
 * actually moved — re-seal what depends on the generation (the wraps, the blind indexes;
 * never the envelopes or the revision signature, which do not) and send once more. A
 * second stale answer is the caller's to see: retries are bounded to one.
 *
 * This module owns recognising the answer and that bound. It must never retry anything
 * else (a stale `version` means the record changed: the user must read it again), and
 * never retry without having refreshed the keys.
 */
import { EgideApiError } from '../http-client';
import type { ReaderScope } from './reader-scopes';

/** The problem `reason` the server gives a wrap sealed to a generation that is no longer current. */
export const STALE_GENERATION = 'stale-generation';

/** True for the server's 409 `stale-generation` answer. */
export function isStaleGeneration(error: unknown): error is EgideApiError {
  return error instanceof EgideApiError && error.status === 409 && error.problem.reason === STALE_GENERATION;
}

/**
 * Runs `attempt(0)`; on a stale-generation answer refreshes every scope (in order) and,
 * if any generation moved, runs `attempt(1)` — which must re-seal from the scopes'
 * refreshed `current` keys — and returns or throws what it does. If no generation moved,
 * the first answer is thrown: sending the same again would only fail again.
 */
export async function retryOnStaleGeneration<T>(scopes: readonly ReaderScope[], attempt: (round: 0 | 1) => Promise<T>): Promise<T> {
  try {
    return await attempt(0);
  } catch (error) {
    if (!isStaleGeneration(error)) throw error;
    let moved = false;
    for (const scope of scopes) if (await scope.refresh()) moved = true;
    if (!moved) throw error;
    return attempt(1);
  }
}
