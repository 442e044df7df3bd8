import { concatBytes, toBase64Url, u8, uuidToBytes } from './binary-encoding';
import { assertEnvelopeKeyId, envelopePaddedPlaintextLength, parseEnvelope, serialiseEnvelope } from './envelope';
import { Algorithm, ENVELOPE_VERSION, MAX_ENVELOPE_BYTES, MAX_FIELD_PADDED_PLAINTEXT_BYTES } from './protocol-constants';
import {
  MalformedInputError,
  OverCapError,
  UnknownAlgorithmError,
  UnknownVersionError,
  WrongAssociatedDataError,
} from './protocol-errors';

const keyId = '0b9d5f0e-7c1a-4f5e-8d2b-3a4c5d6e7f80';

function envelopeBytes(paddedLength: number, version = 1, algorithm = 1): Uint8Array {
  return concatBytes([
    u8(version),
    u8(algorithm),
    uuidToBytes(keyId),
    new Uint8Array(24).fill(7),
    new Uint8Array(paddedLength + 16).fill(9),
  ]);
}

describe('envelope structure', () => {
  it('parses a well-formed envelope and serialises it back to the same string', () => {
    const text = toBase64Url(envelopeBytes(128));
    const parsed = parseEnvelope(text);
    expect(parsed.version).toBe(ENVELOPE_VERSION);
    expect(parsed.algorithm).toBe(Algorithm.XChaCha20Poly1305Ietf);
    expect(parsed.keyId).toBe(keyId);
    expect(parsed.nonce).toEqual(new Uint8Array(24).fill(7));
    expect(envelopePaddedPlaintextLength(parsed)).toBe(128);
    expect(serialiseEnvelope(parsed)).toBe(text);
  });

  it('reports an unknown version before looking at the rest', () => {
    expect(() => parseEnvelope(toBase64Url(Uint8Array.of(2, 1)))).toThrow(UnknownVersionError);
    expect(() => parseEnvelope(toBase64Url(envelopeBytes(64, 0)))).toThrow(UnknownVersionError);
    expect(() => parseEnvelope(toBase64Url(envelopeBytes(64, 1, 2)))).toThrow(UnknownAlgorithmError);
  });

  it('rejects lengths that no sealed field can have', () => {
    expect(() => parseEnvelope('')).toThrow(MalformedInputError);
    expect(() => parseEnvelope(toBase64Url(envelopeBytes(0)))).toThrow(MalformedInputError);
    expect(() => parseEnvelope(toBase64Url(envelopeBytes(65)))).toThrow(MalformedInputError);
    expect(() => parseEnvelope(toBase64Url(envelopeBytes(63)))).toThrow(MalformedInputError);
    expect(parseEnvelope(toBase64Url(envelopeBytes(MAX_FIELD_PADDED_PLAINTEXT_BYTES))).ciphertext.length).toBe(
      MAX_ENVELOPE_BYTES - 42,
    );
  });

  it('enforces the size cap, on the string before decoding it', () => {
    expect(() => parseEnvelope(toBase64Url(envelopeBytes(MAX_FIELD_PADDED_PLAINTEXT_BYTES + 64)))).toThrow(
      OverCapError,
    );
    expect(() => parseEnvelope('A'.repeat(10_000_000))).toThrow(OverCapError);
  });

  it('rejects what is not a string or not base64url', () => {
    expect(() => parseEnvelope(42 as unknown as string)).toThrow(MalformedInputError);
    expect(() => parseEnvelope(`${toBase64Url(envelopeBytes(64))}==`)).toThrow(MalformedInputError);
  });

  it('checks the keyId against the keys a record names', () => {
    const parsed = parseEnvelope(toBase64Url(envelopeBytes(64)));
    expect(() => assertEnvelopeKeyId(parsed, keyId.toUpperCase())).not.toThrow();
    expect(() => assertEnvelopeKeyId(parsed, ['5d4f8a2e-1111-4222-8333-444455556666', keyId])).not.toThrow();
    expect(() => assertEnvelopeKeyId(parsed, '5d4f8a2e-1111-4222-8333-444455556666')).toThrow(
      WrongAssociatedDataError,
    );
  });
});
