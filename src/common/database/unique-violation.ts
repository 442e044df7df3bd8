/**
 * Recognises PostgreSQL's unique violation (23505), on a named constraint or any, so
 * that a feature can turn a duplicate into a 409 instead of letting it surface as a 500.
 * Uniqueness itself is decided by the index, under any concurrency, never by a
 * check-then-write.
 */
import { QueryFailedError } from 'typeorm';

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError: unknown = error.driverError;
  if (typeof driverError !== 'object' || driverError === null) return false;
  if (!('code' in driverError) || driverError.code !== '23505') return false;
  return constraint === undefined || ('constraint' in driverError && driverError.constraint === constraint);
}
