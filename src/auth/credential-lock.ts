/**
 * How long a credential stays locked (docs/identity.md, "Brute force"): after the fifth
 * wrong guess in a row made behind a proven factor, 15 minutes, doubling with each lock
 * in a row, at most 24 hours. A success starts the progression again.
 */
export const LOCKOUT_THRESHOLD = 5;
export const FIRST_LOCK_MS = 15 * 60_000;
export const LONGEST_LOCK_MS = 24 * 60 * 60_000;

/** The lock that follows `locksBefore` locks in a row (0 for the first). */
export function lockDurationMs(locksBefore: number): number {
  // The exponent is capped long after the cap is reached, so the number stays finite.
  return Math.min(LONGEST_LOCK_MS, FIRST_LOCK_MS * 2 ** Math.min(Math.max(0, locksBefore), 16));
}
