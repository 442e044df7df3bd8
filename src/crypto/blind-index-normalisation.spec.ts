import fc from 'fast-check';
import { normaliseBlindIndexValue } from './blind-index-normalisation';
import { MalformedInputError } from './protocol-errors';

describe('blind-index normalisation', () => {
  it.each([
    ['José  Pérez', 'jose perez'],
    ['JOSE PEREZ', 'jose perez'],
    ['\u004a\u006f\u0073\u0065\u0301 Perez', 'jose perez'],
    ['Ｊｏｓé\u00a0Perez', 'jose perez'],
    ['  Straße\t\n', 'strasse'],
    ['Ğül Çelik', 'gul celik'],
    ['ΟΔΥΣΣΕΥΣ', 'οδυσσευσ'],
    ['Nguyễn Văn An', 'nguyen van an'],
    ['Zo\u200be', 'zoe'],
    ['ﬁona', 'fiona'],
  ])('normalises text %j to %j', (raw, normalised) => {
    expect(normaliseBlindIndexValue(raw, 'text')).toBe(normalised);
  });

  it.each([
    ['AB 123-456', 'ab123456'],
    ['ab123456', 'ab123456'],
    ['Ｐ０１２３４５６７', 'p01234567'],
    ['é.12/34', 'e1234'],
  ])('keeps only letters and digits of passport %j', (raw, normalised) => {
    expect(normaliseBlindIndexValue(raw, 'passport')).toBe(normalised);
  });

  it('stays a fixed point when dropping separators joins Hangul jamo (a counterexample fast-check found)', () => {
    const once = normaliseBlindIndexValue('\ub808\u0000\u11a8', 'passport');
    expect(once).toBe('\ub809');
    expect(normaliseBlindIndexValue(once, 'passport')).toBe(once);
  });

  it('is idempotent on random Unicode (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), fc.constantFrom('text' as const, 'passport' as const), (raw, kind) => {
        const once = normaliseBlindIndexValue(raw, kind);
        expect(normaliseBlindIndexValue(once, kind)).toBe(once);
      }),
      { numRuns: 20_000 },
    );
  });

  it('is idempotent on strings built from tricky characters (property)', () => {
    const tricky = fc.constantFrom(
      ...'ßẞſﬀİıΣσςǅǄǆ\u0301\u0307\u0345ΐ\u200b\u200d\u00ad \u00a0\u3000\t\nŉǰᾼ㎒①Ⅻ'.split(''),
      'a',
      'Z',
      '5',
    );
    fc.assert(
      fc.property(fc.array(tricky, { maxLength: 12 }), (parts) => {
        const raw = parts.join('');
        for (const kind of ['text', 'passport'] as const) {
          const once = normaliseBlindIndexValue(raw, kind);
          expect(normaliseBlindIndexValue(once, kind)).toBe(once);
        }
      }),
      { numRuns: 20_000 },
    );
  });

  it('refuses overlong values', () => {
    expect(() => normaliseBlindIndexValue('a'.repeat(1025), 'text')).toThrow(MalformedInputError);
  });
});
