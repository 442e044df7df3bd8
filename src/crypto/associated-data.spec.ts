import { toHex } from './binary-encoding';
import {
  encodeAttachmentAssociatedData,
  encodeFieldAssociatedData,
  encodeHistoryLinkAssociatedData,
  encodeSeedWrapAssociatedData,
} from './associated-data';
import { MalformedInputError } from './protocol-errors';

const location = { entity: 'case', recordId: '6f1c2b0e-8a44-4c1e-9d3a-2b7e5f0c9a11', field: 'narrative' };
const keyId = '0b9d5f0e-7c1a-4f5e-8d2b-3a4c5d6e7f80';

describe('associated data', () => {
  it('encodes the field tuple ("egide", version, alg, entity, recordId, field, keyId) exactly', () => {
    const expected =
      '00000005' + Buffer.from('egide').toString('hex') +
      '00000001' + '01' +
      '00000001' + '01' +
      '00000004' + Buffer.from('case').toString('hex') +
      '00000010' + '6f1c2b0e8a444c1e9d3a2b7e5f0c9a11' +
      '00000009' + Buffer.from('narrative').toString('hex') +
      '00000010' + '0b9d5f0e7c1a4f5e8d2b3a4c5d6e7f80';
    expect(toHex(encodeFieldAssociatedData(location, keyId))).toBe(expected);
  });

  it('differs whenever any element of the place differs', () => {
    const base = toHex(encodeFieldAssociatedData(location, keyId));
    const variants = [
      encodeFieldAssociatedData({ ...location, entity: 'refuge' }, keyId),
      encodeFieldAssociatedData({ ...location, recordId: '6f1c2b0e-8a44-4c1e-9d3a-2b7e5f0c9a12' }, keyId),
      encodeFieldAssociatedData({ ...location, field: 'narrativ' }, keyId),
      encodeFieldAssociatedData(location, '0b9d5f0e-7c1a-4f5e-8d2b-3a4c5d6e7f81'),
      encodeFieldAssociatedData(location, keyId, 2),
    ].map(toHex);
    expect(new Set([base, ...variants]).size).toBe(6);
  });

  it('normalises UUID case so that the reader and writer agree', () => {
    expect(encodeFieldAssociatedData({ ...location, recordId: location.recordId.toUpperCase() }, keyId)).toEqual(
      encodeFieldAssociatedData(location, keyId),
    );
  });

  it('refuses names that are not short ASCII identifiers', () => {
    expect(() => encodeFieldAssociatedData({ ...location, field: 'Narrative' }, keyId)).toThrow(MalformedInputError);
    expect(() => encodeFieldAssociatedData({ ...location, entity: '' }, keyId)).toThrow(MalformedInputError);
    expect(() => encodeFieldAssociatedData({ ...location, recordId: '42' }, keyId)).toThrow(MalformedInputError);
  });

  it('separates the other associated-data domains', () => {
    const all = [
      encodeSeedWrapAssociatedData('password'),
      encodeSeedWrapAssociatedData('recovery'),
      encodeHistoryLinkAssociatedData(location.recordId, 2, 1),
      encodeHistoryLinkAssociatedData(location.recordId, 3, 2),
      encodeAttachmentAssociatedData({ entity: 'case', recordId: location.recordId, attachmentId: keyId }, keyId),
    ].map(toHex);
    expect(new Set(all).size).toBe(all.length);
  });
});
