import { BadSignatureError, readyCrypto, type RecordAction } from '../../crypto';
import { verifyRecordActionOnServer } from '../../common/crypto/signature-verifier';
import { signRecordAction } from './record-action-signatures';
import { deriveUserKeyPairs, generateUserSeed, type UserKeyPairs } from './user-keys';

describe('record action signatures', () => {
  let actor: UserKeyPairs;
  const shred: RecordAction = {
    action: 'shred',
    entity: 'case',
    recordId: '6f1c2b0e-8a44-4c1e-9d3a-2b7e5f0c9a11',
    version: 3,
    actorUserId: 'aaaaaaaa-0000-4000-8000-000000000001',
    confirmation: 'SHRED KE-2026-0042',
  };

  beforeAll(async () => {
    await readyCrypto();
    actor = deriveUserKeyPairs(generateUserSeed());
  });

  it('makes a signature the server verifies for exactly that action', () => {
    const signature = signRecordAction(shred, actor.signSecretKey);
    expect(() => verifyRecordActionOnServer(shred, signature, actor.signPublicKey)).not.toThrow();
    expect(() => verifyRecordActionOnServer({ ...shred, version: 4 }, signature, actor.signPublicKey)).toThrow(BadSignatureError);
    expect(() => verifyRecordActionOnServer({ ...shred, action: 'transfer' }, signature, actor.signPublicKey)).toThrow(BadSignatureError);
  });
});
