import { encodeLengthPrefixedTuple, fromBase64Url, toBase64Url, toHex, u32be, u8, uuidToBytes } from './binary-encoding';
import {
  encodeDataKeyWrapMessage,
  isSignedDataKeyWrap,
  validateSignedDataKeyWrap,
  type SignedDataKeyWrap,
  type UnsignedDataKeyWrap,
} from './data-key-wrap-payload';
import { MalformedInputError } from './protocol-errors';
import { blake2b256, readyCrypto } from './protocol-hash';

const sealed = new Uint8Array(96).map((_, i) => i);
const unsigned: UnsignedDataKeyWrap = {
  keyId: '0b9d5f0e-7c1a-4f5e-8d2b-3a4c5d6e7f80',
  scopeId: '11111111-2222-4333-8444-555555555555',
  generation: 3,
  sealed: toBase64Url(sealed),
  entity: 'case',
  recordId: '6f1c2b0e-8a44-4c1e-9d3a-2b7e5f0c9a11',
  writerUserId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
};
const signed: SignedDataKeyWrap = { ...unsigned, signature: toBase64Url(new Uint8Array(64).fill(9)) };

describe('signed data-key wrap payload', () => {
  beforeAll(async () => {
    await readyCrypto();
  });

  it('encodes the documented tuple', () => {
    const expected = encodeLengthPrefixedTuple([
      'egide-data-key-wrap',
      u8(2),
      'case',
      uuidToBytes(unsigned.recordId),
      uuidToBytes(unsigned.keyId),
      uuidToBytes(unsigned.scopeId),
      u32be(3),
      uuidToBytes(unsigned.writerUserId),
      blake2b256(sealed),
    ]);
    expect(toHex(encodeDataKeyWrapMessage(unsigned))).toBe(toHex(expected));
  });

  it('changes when any signed element changes, and accepts upper-case ids as the same wrap', () => {
    const flipped = Uint8Array.from(fromBase64Url(unsigned.sealed));
    flipped[95] ^= 1;
    const variants: UnsignedDataKeyWrap[] = [
      { ...unsigned, entity: 'visa_request' },
      { ...unsigned, recordId: '6f1c2b0e-8a44-4c1e-9d3a-2b7e5f0c9a12' },
      { ...unsigned, keyId: '0b9d5f0e-7c1a-4f5e-8d2b-3a4c5d6e7f81' },
      { ...unsigned, scopeId: '11111111-2222-4333-8444-555555555556' },
      { ...unsigned, generation: 4 },
      { ...unsigned, writerUserId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6e' },
      { ...unsigned, sealed: toBase64Url(flipped) },
    ];
    const encoded = [unsigned, ...variants].map((variant) => toHex(encodeDataKeyWrapMessage(variant)));
    expect(new Set(encoded).size).toBe(variants.length + 1);
    expect(encodeDataKeyWrapMessage({ ...unsigned, recordId: unsigned.recordId.toUpperCase() })).toEqual(encodeDataKeyWrapMessage(unsigned));
  });

  it('validates the structure a server can check without a key', () => {
    expect(() => validateSignedDataKeyWrap(signed)).not.toThrow();
    const bad: [string, unknown][] = [
      ['entity', 'Case'],
      ['entity', 7],
      ['recordId', 'not-a-uuid'],
      ['writerUserId', null],
      ['signature', toBase64Url(new Uint8Array(63))],
      ['signature', null],
      ['sealed', toBase64Url(new Uint8Array(80))],
      ['generation', 0],
    ];
    for (const [field, value] of bad) {
      expect(() => validateSignedDataKeyWrap({ ...signed, [field]: value } as unknown as SignedDataKeyWrap)).toThrow(MalformedInputError);
    }
  });

  it('tells a legacy (unsigned) stored wrap from a signed one', () => {
    expect(isSignedDataKeyWrap({ ...unsigned, writerUserId: null, signature: null })).toBe(false);
    expect(isSignedDataKeyWrap(signed)).toBe(true);
  });
});
