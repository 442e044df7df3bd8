/**
 * The hostile values the mutations draw from: unicode and UTF-8 edge cases, dates in the
 * ISO 8601 forms the API refuses, ids that are not ids, forged cursors, numbers past
 * every limit, query values of the wrong kind, broken percent-encoding. Path and query
 * values are written as they go on the wire (percent-encoded where needed).
 */
import type { Schema } from './operations';
import type { Prng } from './prng';
import { marker } from './schema-values';

export const UNICODE_EDGES: readonly [string, string][] = [
  ['NUL', 'a\u0000b'],
  ['lone high surrogate', 'x\uD800'],
  ['lone low surrogate', '\uDFFFy'],
  ['reversed pair', '\uDC00\uD800'],
  ['bidi override', '\u202Eevil'],
  ['bidi isolate', '\u2066x\u2069'],
  ['non-character FFFF', '\uFFFF'],
  ['non-character FFFE', '\uFFFE'],
  ['non-character FDD0', '\uFDD0'],
  ['non-character 10FFFF', '\u{10FFFF}'],
  ['zero width', 'a\u200Bb'],
  ['combining', 'e\u0301\u0301\u0301'],
  ['emoji', '\u{1F600}\u{1F469}\u200D\u{1F469}'],
  ['line separator', 'a\u2028b'],
  ['next line', 'a\u0085b'],
  ['control', 'a\u0007\u001Bb'],
  ['CRLF', 'a\r\nb'],
  ['BOM', '\uFEFFa'],
  ['fullwidth', '\uFF20\uFF2B\uFF25'],
  ['case folding', 'İıß\uFB01'],
];

export const INVALID_UTF8: readonly [string, number[]][] = [
  ['0xFF', [0xff]],
  ['overlong slash', [0xc0, 0xaf]],
  ['encoded surrogate', [0xed, 0xa0, 0x80]],
  ['truncated', [0xe2, 0x82]],
];

export const DATE_EDGES: readonly string[] = [
  '2026-W01-1',
  '2026-123',
  '20260101',
  '2026-02-30',
  '2026-13-01',
  '2026-01-01T25:00Z',
  '2026-01-01T10:00',
  '2026-01-01T10:00:00',
  '+275760-09-13T00:00:00.000Z',
  '+275761-01-01T00:00:00.000Z',
  '-000001-01-01T00:00:00.000Z',
  '0000-01-01T00:00:00Z',
  '2026-12-31T23:59:60Z',
  '2026-01-01T00:00:00.000000001Z',
  '2026-01-01t00:00:00z',
  '2026-01-01 00:00:00Z',
  '2026-06-01T00:00:00+24:00',
  '1970-01-01T00:00:00Z',
  '2026-01-01T00:00:00-00:00',
  'now',
  '',
  '1e400',
];

/** Path-segment values that are not ids (already percent-encoded where needed). */
export function malformedIds(rng: Prng): [string, string][] {
  const uuid = rng.uuid();
  return [
    ['not a uuid', 'not-a-uuid'],
    ['upper-case uuid', uuid.toUpperCase()],
    ['uuid plus one', `${uuid}0`],
    ['uuid without dashes', uuid.replace(/-/g, '')],
    ['nil uuid', '00000000-0000-0000-0000-000000000000'],
    ['max uuid', 'ffffffff-ffff-ffff-ffff-ffffffffffff'],
    ['uuid v1 shape', `${uuid.slice(0, 14)}1${uuid.slice(15)}`],
    ['NUL', '%00'],
    ['uuid then NUL', `${uuid}%00`],
    ['marker', marker(rng)],
    ['dot dot', '..'],
    ['encoded dot dot', '%2e%2e'],
    ['encoded slash', `a%2F${marker(rng)}`],
    ['101 characters', 'a'.repeat(101)],
    ['2,000 characters', 'a'.repeat(2000)],
    ['bidi', `%E2%80%AE${marker(rng)}`],
    ['encoded surrogate', '%ED%A0%80'],
    ['overlong', '%C0%AF'],
    ['minus one', '-1'],
    ['huge number', '1e400'],
    ['null', 'null'],
    ['__proto__', '__proto__'],
    ['constructor', 'constructor'],
    ['space', '%20'],
    ['emoji', '%F0%9F%98%80'],
    ['template', '%7Bid%7D'],
    ['reference-like', 'KE-2026-0001'],
    ['lower-case reference', 'ke-2026-0001'],
    ['reference with NUL', 'KE-2026-0001%00'],
  ];
}

export function cursorVariants(rng: Prng): [string, string][] {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
  const uuid = rng.uuid();
  return [
    ['empty array', encode([])],
    ['number parts', encode([1, 2])],
    ['one text part', encode(['x'])],
    ['three parts', encode([uuid, uuid, uuid])],
    ['not an array', encode({ a: 1 })],
    ['a string', encode('x')],
    ['null', encode(null)],
    ['nulls', encode([null, null])],
    ['nested', encode([['x'], uuid])],
    ['NUL part', encode(['\u0000', uuid])],
    ['surrogate part', encode(['\uD800', uuid])],
    ['long text', encode(['a'.repeat(300), uuid])],
    ['not a uuid', encode(['2026-01-01T00:00:00.000Z', 'not-a-uuid'])],
    ['uuid only', encode([uuid])],
    ['not base64', `${marker(rng)}!!`],
    ['NUL', '%00'],
    ['2,000 characters', 'A'.repeat(2000)],
    ['bad percent', '%zz'],
    ...DATE_EDGES.map((date): [string, string] => [`date ${date}`, encode([date, uuid])]),
  ];
}

export function numberVariants(): [string, string][] {
  return [
    ['1e400', '1e400'],
    ['-1e400', '-1e400'],
    ['1e308', '1e308'],
    ['2^53+1', '9007199254740993'],
    ['-(2^53+1)', '-9007199254740993'],
    ['2^31', '2147483648'],
    ['-2^31-1', '-2147483649'],
    ['-1', '-1'],
    ['0', '0'],
    ['fraction', '0.5'],
    ['tiny', '1e-400'],
    ['minus zero', '-0'],
    ['30 digits', '123456789012345678901234567890'],
  ];
}

export function queryValueVariants(schema: Schema, rng: Prng): [string, string][] {
  if (schema.type === 'number' || schema.type === 'integer') {
    return [
      ...numberVariants().map(([label, text]): [string, string] => [label, encodeURIComponent(text)]),
      ['word', 'abc'],
      ['hex', '0x10'],
      ['empty', ''],
      ['leading space', '%201'],
      ['NaN', 'NaN'],
      ['Infinity', 'Infinity'],
      ['list', '1,2'],
      ['over the maximum', String((schema.maximum ?? 1000) + 1)],
    ];
  }
  if (schema.format === 'uuid') return malformedIds(rng);
  if (schema.format === 'date-time' || schema.format === 'date') return DATE_EDGES.map((date): [string, string] => [date, encodeURIComponent(date)]);
  return [
    ['empty', ''],
    ['marker', marker(rng)],
    ['lower case', 'open'],
    ['list', 'OPEN,CLOSED'],
    ['NUL', `a%00${marker(rng)}`],
    ['encoded surrogate', '%ED%A0%80'],
    ['lone surrogate escape', '%uD800'],
    ['10,000 characters', 'a'.repeat(10_000)],
    ['bidi', `%E2%80%AE${marker(rng)}`],
  ];
}

export const BAD_PERCENT = ['%', '%zz', '%E0%A4%A', '%FF', '%%', '%u0041', '%C3%28', '%ED%A0%80', '%00', '%2', '%0a'];
