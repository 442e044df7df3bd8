import {
  BadSignatureError,
  SignedRevision,
  TamperedError,
  WrongKeyError,
  readyCrypto,
} from '../../crypto';
import { verifyRevisionSignatureOnServer } from '../../common/crypto/signature-verifier';
import { DataKey, generateDataKey } from './data-keys';
import { JsonValue } from './field-envelopes';
import { openRevision, sealRevision } from './record-revisions';
import { signRevision } from './revision-signatures';
import { UserKeyPairs, deriveUserKeyPairs, generateUserSeed } from './user-keys';

const coordinates = {
  entity: 'case',
  recordId: '6f1c2b0e-8a44-4c1e-9d3a-2b7e5f0c9a11',
  version: 2,
  authorUserId: 'aaaaaaaa-0000-4000-8000-000000000001',
};
const fields: Record<string, JsonValue> = {
  defender_name: 'Ana María Núñez',
  narrative: { text: 'Detained for 48 hours.', witnesses: 2 },
  passport_number: null,
};

describe('record revisions', () => {
  let author: UserKeyPairs;
  let dataKey: DataKey;
  let revision: SignedRevision;

  beforeAll(async () => {
    await readyCrypto();
    author = deriveUserKeyPairs(generateUserSeed());
    dataKey = generateDataKey();
    revision = sealRevision(coordinates, fields, dataKey, author.signSecretKey);
  });

  it('seals and signs every field, and the reader verifies then opens them all', () => {
    expect(revision.envelopes.map((entry) => entry.field).sort()).toEqual(Object.keys(fields).sort());
    expect(() => verifyRevisionSignatureOnServer(revision, author.signPublicKey)).not.toThrow();
    expect(openRevision(revision, author.signPublicKey, dataKey)).toEqual(fields);
  });

  it('opens nothing when the signature fails, even with the right data key', () => {
    const stranger = deriveUserKeyPairs(generateUserSeed());
    expect(() => openRevision(revision, stranger.signPublicKey, dataKey)).toThrow(BadSignatureError);
    const moved = { ...revision, recordId: '6f1c2b0e-8a44-4c1e-9d3a-2b7e5f0c9a12' };
    expect(() => openRevision(moved, author.signPublicKey, dataKey)).toThrow(BadSignatureError);
    const swapped = {
      ...revision,
      envelopes: revision.envelopes.map((entry, i, all) => ({ field: entry.field, envelope: all[(i + 1) % all.length].envelope })),
    };
    expect(() => openRevision(swapped, author.signPublicKey, dataKey)).toThrow(BadSignatureError);
  });

  it('refuses the wrong data key, and an envelope re-signed under another field', () => {
    expect(() => openRevision(revision, author.signPublicKey, generateDataKey())).toThrow(WrongKeyError);
    // Even the author, signing validly, cannot make one field's envelope read as another.
    const nameEnvelope = revision.envelopes.find((entry) => entry.field === 'defender_name');
    if (nameEnvelope === undefined) throw new Error('the fixture has a defender_name field');
    const resigned = signRevision(
      { ...coordinates, envelopes: [{ field: 'narrative', envelope: nameEnvelope.envelope }] },
      author.signSecretKey,
    );
    expect(() => openRevision(resigned, author.signPublicKey, dataKey)).toThrow(TamperedError);
  });
});
