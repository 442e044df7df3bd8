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

/** A day (`YYYY-MM-DD`, midnight UTC) or an ISO 8601 instant, as the ISO instant the API takes. */
export function parseInstant(value: string): string {
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00.000Z` : value;
  const parsed = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(parsed.getTime())) throw new InvalidArgumentError('a date (YYYY-MM-DD) or an ISO 8601 instant');
  return parsed.toISOString();
}

export function parseYesNo(value: string): boolean {
  if (/^(y|yes|true)$/i.test(value)) return true;
  if (/^(n|no|false)$/i.test(value)) return false;
  throw new InvalidArgumentError('yes or no');
}

/** A comma-separated list of values from a closed set (case-insensitive), without repeats. */
export function commaSeparatedOf<T extends string>(allowed: readonly T[]): (value: string) => T[] {
  return (value) => {
    const items = value
      .split(',')
      .map((item) => item.trim().toUpperCase())
      .filter((item) => item !== '');
    for (const item of items) {
      if (!(allowed as readonly string[]).includes(item)) throw new InvalidArgumentError(`${item} is not one of ${allowed.join(', ')}`);
    }
    return [...new Set(items)] as T[];
  };
}
