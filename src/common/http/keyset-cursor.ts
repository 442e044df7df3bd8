/**
 * Opaque keyset-pagination cursors: the sort key of a page's last row, as base64url
 * JSON. Opaque to callers (they pass back what they got), checked on the way in so that
 * a forged or truncated cursor is a 400 naming `cursor`, never a cast error (500) in SQL.
 * Cursors carry only sort keys (names and ids), never e-mail addresses or secrets:
 * they end up in URLs and proxy logs.
 */
import { fromBase64Url, toBase64Url, utf8 } from '../../crypto/binary-encoding';
import { ValidationFailedException } from './problem';
import { unacceptableText } from './text-rules';

export const PAGE_LIMIT_DEFAULT = 50;
export const PAGE_LIMIT_MAX = 200;
export const CURSOR_MAX_LENGTH = 1024;

export type CursorPart = 'text' | 'uuid';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TEXT_PART_MAX_LENGTH = 200;

export function encodeCursor(parts: readonly string[]): string {
  return toBase64Url(utf8(JSON.stringify(parts)));
}

export function decodeCursor(cursor: string, shape: readonly CursorPart[]): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(fromBase64Url(cursor, 'cursor')));
  } catch {
    throw invalidCursor();
  }
  if (!Array.isArray(parsed) || parsed.length !== shape.length) throw invalidCursor();
  return shape.map((kind, index) => {
    const part: unknown = parsed[index];
    if (typeof part !== 'string' || unacceptableText(part) !== undefined) throw invalidCursor();
    if (kind === 'uuid' ? !UUID.test(part) : part.length > TEXT_PART_MAX_LENGTH) throw invalidCursor();
    return part;
  });
}

/**
 * A (createdAt, id) cursor, the keyset of every list ordered by creation (cases, their
 * timelines, and every sealed-record list after them): both parts checked, so that a
 * forged one is a 400, not a cast error.
 */
export function decodeTimeCursor(cursor: string | undefined): { createdAt: Date; id: string } | undefined {
  if (cursor === undefined) return undefined;
  const [createdAt, id] = decodeCursor(cursor, ['text', 'uuid']);
  const at = new Date(createdAt);
  if (Number.isNaN(at.getTime()) || at.toISOString() !== createdAt) throw invalidCursor();
  return { createdAt: at, id };
}

/** The cursor of a row for `decodeTimeCursor`. */
export function timeCursorOf(row: { created_at: Date; id: string }): string[] {
  return [row.created_at.toISOString(), row.id];
}

/** A page of rows fetched with `limit + 1`: the extra row only says there is more. */
export function pageOf<Row, Item>(
  rows: readonly Row[],
  limit: number,
  toItem: (row: Row) => Item,
  cursorOf: (row: Row) => readonly string[],
): { items: Item[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toItem),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(cursorOf(last)) : null,
  };
}

function invalidCursor(): ValidationFailedException {
  return new ValidationFailedException([{ field: 'cursor', messages: ['cursor is not one this server issued'] }]);
}
