import { ValidationFailedException } from './problem';
import { decodeCursor, encodeCursor, pageOf } from './keyset-cursor';

const ID = '3f0e1d2c-1b2a-4c3d-8e4f-5a6b7c8d9e0f';

describe('keyset cursors', () => {
  it('round-trips the sort key of a row', () => {
    expect(decodeCursor(encodeCursor(['Embassy "A" — Nairobi', ID]), ['text', 'uuid'])).toEqual(['Embassy "A" — Nairobi', ID]);
  });

  it.each([
    ['not base64url JSON', 'bm90IGpzb24'],
    ['the wrong arity', encodeCursor([ID])],
    ['a non-string part', Buffer.from(JSON.stringify([1, ID])).toString('base64url')],
    ['an id that is not a UUID', encodeCursor(['name', "x' OR 1=1"])],
    ['an over-long text part', encodeCursor(['n'.repeat(201), ID])],
    ['an object', Buffer.from('{"a":1}').toString('base64url')],
  ])('refuses %s as a 400 naming cursor', (_what, cursor) => {
    expect(() => decodeCursor(cursor, ['text', 'uuid'])).toThrow(ValidationFailedException);
    try {
      decodeCursor(cursor, ['text', 'uuid']);
    } catch (error) {
      expect((error as ValidationFailedException).fieldErrors.map((fieldError) => fieldError.field)).toEqual(['cursor']);
    }
  });

  it('pages limit + 1 rows: a cursor only when more follow', () => {
    const rows = [1, 2, 3].map((n) => ({ n, id: `${n}` }));
    expect(pageOf(rows, 2, (row) => row.n, (row) => [row.id])).toEqual({ items: [1, 2], nextCursor: encodeCursor(['2']) });
    expect(pageOf(rows, 3, (row) => row.n, (row) => [row.id])).toEqual({ items: [1, 2, 3], nextCursor: null });
  });
});
