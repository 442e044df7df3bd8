/**
 * Parsers for option values, so that a malformed value is a usage error (exit 2) named
 * by commander before anything is sent to the server.
 */
import { InvalidArgumentError } from 'commander';

export function parseNonNegativeInteger(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('not a non-negative integer');
  return Number(value);
}

export function parsePositiveInteger(value: string): number {
  const parsed = parseNonNegativeInteger(value);
  if (parsed === 0) throw new InvalidArgumentError('must be at least 1');
  return parsed;
}

export function parseCountryCode(value: string): string {
  if (!/^[A-Za-z]{2}$/.test(value)) throw new InvalidArgumentError('a two-letter country code (ISO 3166-1 alpha-2)');
  return value.toUpperCase();
}
