import fc from 'fast-check';
import {
  bytesEqual,
  bytesToUuid,
  CANONICAL_BASE64URL,
  canonicalBase64UrlOf,
  encodeLengthPrefixedTuple,
  fromBase64Url,
  fromBase64UrlOfLength,
  fromHex,
  toBase64Url,
  toHex,
  u32be,
  uuidToBytes,
} from './binary-encoding';
import { MalformedInputError } from './protocol-errors';

describe('binary encoding', () => {
  it('round-trips base64url without padding (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = toBase64Url(bytes);
        expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(fromBase64Url(text)).toEqual(bytes);
      }),
    );
  });

  it('rejects padding, foreign alphabets, impossible lengths and stray trailing bits', () => {
    // 'AAŁA': Node's Buffer decoder once read U+0141 as its low byte 'A'; the alphabet is ASCII only.
    for (const text of ['AA==', 'AA=', 'A+/B', 'AAAAA', 'AB', 'AAB', ' AAAA', 'AA AA', 'AA.A', 'AAA\n', 'AAé', 'AAŁA', 'AAA\u0100']) {
      expect(() => fromBase64Url(text)).toThrow(MalformedInputError);
    }
    expect(fromBase64Url('AA')).toEqual(Uint8Array.of(0));
    expect(() => fromBase64UrlOfLength('AA', 2, 'x')).toThrow(MalformedInputError);
  });

  it('accepts a string only if it is the one canonical encoding of its bytes (property)', () => {
    const alphabet = fc.constantFrom(...'AQgwBCDabz09-_+/= .\n'.split(''));
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 12 }), (characters) => {
        const text = characters.join('');
        let decoded: Uint8Array | undefined;
        try {
          decoded = fromBase64Url(text);
        } catch (error) {
          expect(error).toBeInstanceOf(MalformedInputError);
        }
        if (decoded !== undefined) expect(toBase64Url(decoded)).toBe(text);
      }),
      { numRuns: 5000 },
    );
  });

  it("writes the same base64url and hex as Node's Buffer, which it replaced (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const buffer = Buffer.from(bytes);
        expect(toBase64Url(bytes)).toBe(buffer.toString('base64url'));
        expect(toHex(bytes)).toBe(buffer.toString('hex'));
        expect(fromHex(buffer.toString('hex'))).toEqual(bytes);
      }),
    );
  });

  it('encodes tuple strings as UTF-8 exactly as Buffer did, lone surrogates included (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)) }), (text, surrogates) => {
        const element = text + surrogates;
        const expected = Buffer.concat([Buffer.from(u32be(Buffer.byteLength(element, 'utf8'))), Buffer.from(element, 'utf8')]);
        expect(toHex(encodeLengthPrefixedTuple([element]))).toBe(expected.toString('hex'));
      }),
    );
  });

  it('maps UUIDs to 16 bytes and back in lower case', () => {
    const bytes = uuidToBytes('6F1C2B0E-8A44-4C1E-9D3A-2B7E5F0C9A11');
    expect(toHex(bytes)).toBe('6f1c2b0e8a444c1e9d3a2b7e5f0c9a11');
    expect(bytesToUuid(bytes)).toBe('6f1c2b0e-8a44-4c1e-9d3a-2b7e5f0c9a11');
    for (const bad of ['6f1c2b0e8a444c1e9d3a2b7e5f0c9a11', '6f1c2b0e-8a44-4c1e-9d3a-2b7e5f0c9a1g', '6f1c2b0e-8a44-4c1e-9d3a+2b7e5f0c9a11']) {
      expect(() => uuidToBytes(bad)).toThrow(MalformedInputError);
    }
  });

  it('encodes tuples with u32 big-endian length prefixes', () => {
    expect(toHex(encodeLengthPrefixedTuple(['ab', Uint8Array.of(1, 2, 3), '']))).toBe(
      '00000002' + '6162' + '00000003' + '010203' + '00000000',
    );
    expect(encodeLengthPrefixedTuple(['ab', 'c'])).not.toEqual(encodeLengthPrefixedTuple(['a', 'bc']));
    expect(toHex(u32be(0x01020304))).toBe('01020304');
  });

  it('decodes only lower-case hex and compares bytes', () => {
    expect(fromHex('00ff')).toEqual(Uint8Array.of(0, 255));
    expect(() => fromHex('0F')).toThrow(MalformedInputError);
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(bytesEqual(Uint8Array.of(1), Uint8Array.of(1, 2))).toBe(false);
  });

  describe('the canonical base64url patterns agree with the decoder', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=.';
    const decodes = (text: string): Uint8Array | undefined => {
      try {
        return fromBase64Url(text);
      } catch {
        return undefined;
      }
    };
    const text = fc.array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 48 }).map((chars) => chars.join(''));

    it('CANONICAL_BASE64URL accepts exactly what fromBase64Url decodes', () => {
      fc.assert(
        fc.property(text, (candidate) => CANONICAL_BASE64URL.test(candidate) === (decodes(candidate) !== undefined)),
        { numRuns: 20_000 },
      );
      fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (bytes) => CANONICAL_BASE64URL.test(toBase64Url(bytes))));
      expect(CANONICAL_BASE64URL.test('')).toBe(false);
    });

    it('canonicalBase64UrlOf(n) accepts exactly the encodings of n bytes', () => {
      for (const length of [1, 2, 3, 16, 24, 32, 64]) {
        const pattern = canonicalBase64UrlOf(length);
        fc.assert(fc.property(fc.uint8Array({ minLength: length, maxLength: length }), (bytes) => pattern.test(toBase64Url(bytes))));
        fc.assert(
          fc.property(text, (candidate) => pattern.test(candidate) === (decodes(candidate)?.length === length)),
          { numRuns: 5_000 },
        );
      }
      // The fuzzer's finding: 43 characters ending in `r` carry non-zero trailing bits.
      expect(canonicalBase64UrlOf(32).test('V8Hf11wD9yCcZV1_hecPIxcxvAb-NOthYo1ap5KFApr')).toBe(false);
      expect(canonicalBase64UrlOf(32).test('V8Hf11wD9yCcZV1_hecPIxcxvAb-NOthYo1ap5KFApo')).toBe(true);
    });
  });
});
