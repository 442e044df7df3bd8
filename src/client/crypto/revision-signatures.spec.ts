import {
  BadSignatureError,
  FieldLocation,
  RevisionSignaturePayload,
  readyCrypto,
} from '../../crypto';
import { verifyRevisionSignatureOnServer } from '../../common/crypto/signature-verifier';
import { generateDataKey } from './data-keys';
import { sealField } from './field-envelopes';
import { signRevision, verifyRevision } from './revision-signatures';
import { UserKeyPairs, deriveUserKeyPairs, generateUserSeed } from './user-keys';

const recordId = '6f1c2b0e-8a44-4c1e-9d3a-2b7e5f0c9a11';
const authorUserId = 'aaaaaaaa-0000-4000-8000-000000000001';

describe('revision signatures', () => {
  let author: UserKeyPairs;
  let colleague: UserKeyPairs;
  let payload: RevisionSignaturePayload;

  beforeAll(async () => {
    await readyCrypto();
    author = deriveUserKeyPairs(generateUserSeed());
    colleague = deriveUserKeyPairs(generateUserSeed());
    const dataKey = generateDataKey();
    const at = (field: string): FieldLocation => ({ entity: 'case', recordId, field });
    payload = {
      entity: 'case',
      recordId,
      version: 1,
      authorUserId,
      envelopes: [
        { field: 'defender_name', envelope: sealField('Ana', at('defender_name'), dataKey) },
        { field: 'narrative', envelope: sealField('…', at('narrative'), dataKey) },
      ],
    };
  });

  it('is verified by the reader (libsodium) and by the server (node:crypto)', () => {
    const signed = signRevision(payload, author.signSecretKey);
    expect(() => verifyRevision(signed, author.signPublicKey)).not.toThrow();
    expect(() => verifyRevisionSignatureOnServer(signed, author.signPublicKey)).not.toThrow();
  });

  it('does not let a colleague with the same data key pass text off as the author', () => {
    const forged = signRevision(payload, colleague.signSecretKey);
    expect(() => verifyRevision(forged, author.signPublicKey)).toThrow(BadSignatureError);
    expect(() => verifyRevisionSignatureOnServer(forged, author.signPublicKey)).toThrow(BadSignatureError);
  });

  it('fails when an envelope is swapped, dropped or the version replayed', () => {
    const signed = signRevision(payload, author.signSecretKey);
    const swapped = {
      ...signed,
      envelopes: [
        { field: 'defender_name', envelope: signed.envelopes[1].envelope },
        { field: 'narrative', envelope: signed.envelopes[0].envelope },
      ],
    };
    for (const candidate of [swapped, { ...signed, envelopes: signed.envelopes.slice(0, 1) }, { ...signed, version: 2 }]) {
      expect(() => verifyRevision(candidate, author.signPublicKey)).toThrow(BadSignatureError);
      expect(() => verifyRevisionSignatureOnServer(candidate, author.signPublicKey)).toThrow(BadSignatureError);
    }
  });
});
