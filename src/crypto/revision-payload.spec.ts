import { concatBytes, encodeLengthPrefixedTuple, fromBase64Url, toBase64Url, toHex, u32be, u8, uuidToBytes } from './binary-encoding';
import { MalformedInputError, OverCapError } from './protocol-errors';
import { blake2b256, readyCrypto } from './protocol-hash';
import {
  RevisionSignaturePayload,
  canonicalEnvelopeList,
  encodeRevisionSignatureMessage,
  hashEnvelopeList,
} from './revision-payload';

function fakeEnvelope(fill: number): string {
  return toBase64Url(
    concatBytes([
      Uint8Array.of(1, 1),
      uuidToBytes('0b9d5f0e-7c1a-4f5e-8d2b-3a4c5d6e7f80'),
      new Uint8Array(24).fill(fill),
      new Uint8Array(80).fill(fill),
    ]),
  );
}

const payload: RevisionSignaturePayload = {
  entity: 'case',
  recordId: '6f1c2b0e-8a44-4c1e-9d3a-2b7e5f0c9a11',
  version: 3,
  authorUserId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
  envelopes: [
    { field: 'narrative', envelope: fakeEnvelope(1) },
    { field: 'defender_name', envelope: fakeEnvelope(2) },
  ],
};

describe('revision signature payload', () => {
  beforeAll(async () => {
    await readyCrypto();
  });

  it('encodes the documented tuple', () => {
    const listHash = blake2b256(
      encodeLengthPrefixedTuple([
        'egide-envelope-list',
        u32be(2),
        'defender_name',
        fromBase64Url(fakeEnvelope(2)),
        'narrative',
        fromBase64Url(fakeEnvelope(1)),
      ]),
    );
    const expected = encodeLengthPrefixedTuple([
      'egide-revision',
      u8(1),
      'case',
      uuidToBytes(payload.recordId),
      u32be(3),
      uuidToBytes(payload.authorUserId),
      listHash,
    ]);
    expect(toHex(encodeRevisionSignatureMessage(payload))).toBe(toHex(expected));
  });

  it('does not depend on the order the envelopes are listed in', () => {
    const reversed = { ...payload, envelopes: [...payload.envelopes].reverse() };
    expect(encodeRevisionSignatureMessage(reversed)).toEqual(encodeRevisionSignatureMessage(payload));
    expect(canonicalEnvelopeList(payload.envelopes).map((entry) => entry.field)).toEqual(['defender_name', 'narrative']);
  });

  it('changes when any signed element changes', () => {
    const base = toHex(encodeRevisionSignatureMessage(payload));
    const variants: RevisionSignaturePayload[] = [
      { ...payload, entity: 'refuge' },
      { ...payload, recordId: '6f1c2b0e-8a44-4c1e-9d3a-2b7e5f0c9a12' },
      { ...payload, version: 4 },
      { ...payload, authorUserId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6e' },
      { ...payload, envelopes: payload.envelopes.slice(1) },
      { ...payload, envelopes: [payload.envelopes[0], { field: 'defender_name', envelope: fakeEnvelope(3) }] },
      {
        ...payload,
        envelopes: [
          { field: 'defender_name', envelope: fakeEnvelope(1) },
          { field: 'narrative', envelope: fakeEnvelope(2) },
        ],
      },
    ];
    const encoded = variants.map((variant) => toHex(encodeRevisionSignatureMessage(variant)));
    expect(new Set([base, ...encoded]).size).toBe(variants.length + 1);
  });

  it('rejects duplicate fields, invalid envelopes, bad versions and too many fields', () => {
    const duplicate = { ...payload, envelopes: [...payload.envelopes, payload.envelopes[0]] };
    expect(() => encodeRevisionSignatureMessage(duplicate)).toThrow(MalformedInputError);
    expect(() => hashEnvelopeList([{ field: 'x', envelope: 'AQE' }])).toThrow(MalformedInputError);
    expect(() => encodeRevisionSignatureMessage({ ...payload, version: 0 })).toThrow(MalformedInputError);
    const many = Array.from({ length: 65 }, (_, i) => ({ field: `f${i}`, envelope: fakeEnvelope(1) }));
    expect(() => hashEnvelopeList(many)).toThrow(OverCapError);
    expect(hashEnvelopeList([])).toHaveLength(32);
  });
});
