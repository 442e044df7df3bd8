import { encodeLengthPrefixedTuple, toHex, u32be, u8, utf8, uuidToBytes } from './binary-encoding';
import { MalformedInputError } from './protocol-errors';
import { encodeRecordActionMessage, type RecordAction } from './record-action-payload';

const shred: RecordAction = {
  action: 'shred',
  entity: 'case',
  recordId: '6f1c2b0e-8a44-4c1e-9d3a-2b7e5f0c9a11',
  version: 7,
  actorUserId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
  confirmation: 'SHRED KE-2026-0042',
};

describe('signed record action payload', () => {
  it('encodes the documented tuple', () => {
    const expected = encodeLengthPrefixedTuple([
      'egide-record-action',
      u8(2),
      'shred',
      'case',
      uuidToBytes(shred.recordId),
      u32be(7),
      uuidToBytes(shred.actorUserId),
      utf8('SHRED KE-2026-0042'),
    ]);
    expect(toHex(encodeRecordActionMessage(shred))).toBe(toHex(expected));
  });

  it('changes when any signed element changes', () => {
    const variants: RecordAction[] = [
      { ...shred, action: 'transfer' },
      { ...shred, entity: 'visa_request' },
      { ...shred, recordId: '6f1c2b0e-8a44-4c1e-9d3a-2b7e5f0c9a12' },
      { ...shred, version: 8 },
      { ...shred, actorUserId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6e' },
      { ...shred, confirmation: 'SHRED KE-2026-0043' },
    ];
    const encoded = [shred, ...variants].map((variant) => toHex(encodeRecordActionMessage(variant)));
    expect(new Set(encoded).size).toBe(variants.length + 1);
  });

  it('refuses an unknown action, a bad version, an empty or oversize confirmation, a bad id', () => {
    const bad: Partial<Record<keyof RecordAction, unknown>>[] = [
      { action: 'delete' },
      { entity: 'Case!' },
      { version: 0 },
      { version: 1.5 },
      { confirmation: '' },
      { confirmation: 'x'.repeat(257) },
      { recordId: 'nope' },
      { actorUserId: 'nope' },
    ];
    for (const change of bad) {
      expect(() => encodeRecordActionMessage({ ...shred, ...change } as RecordAction)).toThrow(MalformedInputError);
    }
  });
});
