import fc from 'fast-check';
import sodium from 'libsodium-wrappers-sumo';
import {
  ENVELOPE_HEADER_BYTES,
  FieldLocation,
  MalformedInputError,
  OverCapError,
  ProtocolError,
  TamperedError,
  UnknownAlgorithmError,
  UnknownVersionError,
  WrongKeyError,
  encodeFieldAssociatedData,
  fromBase64Url,
  parseEnvelope,
  readyCrypto,
  toBase64Url,
  uuidToBytes,
} from '../../crypto';
import { DataKey, generateDataKey } from './data-keys';
import { JsonValue, openField, sealField, sealFieldTraced } from './field-envelopes';

const location: FieldLocation = {
  entity: 'case',
  recordId: '6f1c2b0e-8a44-4c1e-9d3a-2b7e5f0c9a11',
  field: 'defender_name',
};

function flipByte(envelope: string, index: number): string {
  const bytes = Uint8Array.from(fromBase64Url(envelope));
  bytes[index] ^= 0x01;
  return toBase64Url(bytes);
}

function expectProtocolError(run: () => unknown, type: abstract new (...args: never[]) => ProtocolError): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(type);
}

describe('field envelopes', () => {
  let dataKey: DataKey;

  beforeAll(async () => {
    await readyCrypto();
    dataKey = generateDataKey();
  });

  it('round-trips JSON values of every kind', () => {
    const values: JsonValue[] = [
      'Ana María Núñez',
      '',
      0,
      -12.5,
      true,
      null,
      ['a', 1, false],
      { name: 'Ωmega ☂', nested: { list: [1, 2, { deep: 'ß' }] } },
    ];
    for (const value of values) {
      expect(openField(sealField(value, location, dataKey), location, dataKey)).toEqual(value);
    }
  });

  it('pads the plaintext to a multiple of 64 bytes, hiding the exact length', () => {
    const short = parseEnvelope(sealField('a', location, dataKey));
    const longer = parseEnvelope(sealField('a'.repeat(40), location, dataKey));
    expect(short.ciphertext.length).toBe(64 + 16);
    expect(longer.ciphertext.length).toBe(64 + 16);
    expect(parseEnvelope(sealField('a'.repeat(62), location, dataKey)).ciphertext.length).toBe(128 + 16);
  });

  it('binds the envelope to the associated data built from the location and key', () => {
    const trace = sealFieldTraced('x', location, dataKey);
    expect(trace.associatedData).toEqual(encodeFieldAssociatedData(location, dataKey.keyId));
    const parsed = parseEnvelope(trace.envelope);
    const raw = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      parsed.ciphertext,
      trace.associatedData,
      parsed.nonce,
      dataKey.key,
    );
    expect(raw).toEqual(trace.paddedPlaintext);
  });

  describe('tampering', () => {
    let envelope: string;
    let length: number;

    beforeAll(() => {
      envelope = sealField({ narrative: 'detained at the border on 3 March' }, location, dataKey);
      length = fromBase64Url(envelope).length;
    });

    it('fails on a flipped bit anywhere in the nonce, ciphertext or tag', () => {
      for (let index = ENVELOPE_HEADER_BYTES - 24; index < length; index += 1) {
        expectProtocolError(() => openField(flipByte(envelope, index), location, dataKey), TamperedError);
      }
    });

    it('fails on a flipped bit anywhere in the keyId', () => {
      for (let index = 2; index < 18; index += 1) {
        expectProtocolError(() => openField(flipByte(envelope, index), location, dataKey), WrongKeyError);
      }
    });

    it('fails when the keyId is rewritten to the reader key (the AD then differs)', () => {
      const other = generateDataKey();
      const bytes = Uint8Array.from(fromBase64Url(envelope));
      bytes.set(uuidToBytes(other.keyId), 2);
      expectProtocolError(() => openField(toBase64Url(bytes), location, other), TamperedError);
    });

    it('fails on an unknown version or algorithm byte', () => {
      const version = Uint8Array.from(fromBase64Url(envelope));
      version[0] = 2;
      expectProtocolError(() => openField(toBase64Url(version), location, dataKey), UnknownVersionError);
      const algorithm = Uint8Array.from(fromBase64Url(envelope));
      algorithm[1] = 9;
      expectProtocolError(() => openField(toBase64Url(algorithm), location, dataKey), UnknownAlgorithmError);
    });

    it('fails when truncated or extended, at every length', () => {
      const bytes = fromBase64Url(envelope);
      for (let cut = 0; cut < bytes.length; cut += 1) {
        expectProtocolError(() => openField(toBase64Url(bytes.subarray(0, cut)), location, dataKey), ProtocolError);
      }
      expectProtocolError(
        () => openField(toBase64Url(Uint8Array.from([...bytes, 0])), location, dataKey),
        MalformedInputError,
      );
    });

    it('fails when moved to another record, field or entity', () => {
      const moves: FieldLocation[] = [
        { ...location, recordId: '0c7d7a55-3c38-4f43-a0a6-0a8c5a1f1d22' },
        { ...location, field: 'defender_location' },
        { ...location, entity: 'visa_request' },
      ];
      for (const moved of moves) {
        expectProtocolError(() => openField(envelope, moved, dataKey), TamperedError);
      }
    });

    it('fails when opened with another key (moved to another record key)', () => {
      const other = generateDataKey();
      expectProtocolError(() => openField(envelope, location, other), WrongKeyError);
      expectProtocolError(() => openField(envelope, location, { keyId: dataKey.keyId, key: other.key }), TamperedError);
    });

    it('rejects non-canonical base64url', () => {
      expectProtocolError(() => openField(`${envelope}=`, location, dataKey), MalformedInputError);
      expectProtocolError(() => openField(`${envelope.slice(0, -1)}!`, location, dataKey), MalformedInputError);
    });
  });

  it('lets the reader, not the envelope, supply the associated data', () => {
    // The envelope carries only keyId; entity, record and field come from the reader.
    const envelope = sealField('secret', location, dataKey);
    const parsed = parseEnvelope(envelope);
    expect(Object.keys(parsed).sort()).toEqual(['algorithm', 'ciphertext', 'keyId', 'nonce', 'version']);
    expect(Buffer.from(fromBase64Url(envelope)).includes(Buffer.from(location.field))).toBe(false);
    expect(openField(envelope, { ...location }, dataKey)).toBe('secret');
  });

  it('refuses plaintexts over the cap and values that are not JSON', () => {
    expectProtocolError(() => sealField('x'.repeat(256 * 1024), location, dataKey), OverCapError);
    expectProtocolError(() => sealField(undefined as unknown as JsonValue, location, dataKey), MalformedInputError);
  });

  it('round-trips random plaintexts up to 64 KiB (property)', () => {
    // Up to 16,384 code points of any plane: at most 64 KiB of UTF-8.
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 16 * 1024, size: 'max' }), (text) => {
        expect(openField(sealField(text, location, dataKey), location, dataKey)).toBe(text);
      }),
      { numRuns: 40 },
    );
    // Random bytes up to 64 KiB, carried as base64url text.
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 * 1024, size: 'max' }), (bytes) => {
        const value = toBase64Url(bytes);
        expect(openField(sealField(value, location, dataKey), location, dataKey)).toBe(value);
      }),
      { numRuns: 40 },
    );
  });

  it('never opens a randomly altered envelope (property)', () => {
    const envelope = sealField({ a: 'b'.repeat(200) }, location, dataKey);
    const bytes = fromBase64Url(envelope);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (index, mask) => {
        const altered = Uint8Array.from(bytes);
        altered[index] ^= mask;
        expectProtocolError(() => openField(toBase64Url(altered), location, dataKey), ProtocolError);
      }),
      { numRuns: 500 },
    );
  });

  it('uses a fresh nonce for each of 100,000 envelopes', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i += 1) {
      const envelope = sealField(i, location, dataKey);
      // Characters 24..56 of the base64url string cover bytes 18..42: the whole nonce.
      seen.add(envelope.slice(24, 56));
    }
    expect(seen.size).toBe(100_000);
  }, 60_000);
});
