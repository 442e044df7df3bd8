import { toBase64Url } from './binary-encoding';
import {
  EncryptedKeyBundle,
  HistoryLink,
  SealedDataKey,
  validateEncryptedKeyBundle,
  validateHistoryLink,
  validateKdfParameters,
  validateSealedDataKey,
} from './key-bundles';
import { MalformedInputError, UnknownAlgorithmError, UnknownVersionError } from './protocol-errors';
import { TeamKeyGrant, validateTeamKeyGrant } from './team-grant-payload';

const bytes = (length: number): string => toBase64Url(new Uint8Array(length).fill(7));
const uuid = '11111111-2222-4333-8444-555555555555';

describe('key bundle structure (what the server can check without a key)', () => {
  it('validates a seed bundle', () => {
    const bundle: EncryptedKeyBundle = { version: 1, algorithm: 1, purpose: 'password', nonce: bytes(24), ciphertext: bytes(48) };
    expect(() => validateEncryptedKeyBundle(bundle)).not.toThrow();
    expect(() => validateEncryptedKeyBundle({ ...bundle, ciphertext: bytes(47) })).toThrow(MalformedInputError);
    expect(() => validateEncryptedKeyBundle({ ...bundle, version: 2 } as unknown as EncryptedKeyBundle)).toThrow(
      UnknownVersionError,
    );
    expect(() => validateEncryptedKeyBundle({ ...bundle, purpose: 'other' } as unknown as EncryptedKeyBundle)).toThrow(
      MalformedInputError,
    );
  });

  it('validates KDF parameters, sealed data keys, history links and grants', () => {
    expect(() => validateKdfParameters({ algorithm: 'argon2id13', salt: bytes(16), opslimit: 3, memlimit: 67108864 })).not.toThrow();
    expect(() =>
      validateKdfParameters({ algorithm: 'scrypt', salt: bytes(16), opslimit: 3, memlimit: 1 } as unknown as Parameters<
        typeof validateKdfParameters
      >[0]),
    ).toThrow(UnknownAlgorithmError);
    expect(() => validateKdfParameters({ algorithm: 'argon2id13', salt: bytes(8), opslimit: 3, memlimit: 1 })).toThrow(
      MalformedInputError,
    );

    const sealed: SealedDataKey = { keyId: uuid, scopeId: uuid, generation: 1, sealed: bytes(96) };
    expect(() => validateSealedDataKey(sealed)).not.toThrow();
    expect(() => validateSealedDataKey({ ...sealed, generation: 0 })).toThrow(MalformedInputError);
    expect(() => validateSealedDataKey({ ...sealed, sealed: bytes(80) })).toThrow(MalformedInputError);

    const link: HistoryLink = {
      version: 1,
      algorithm: 1,
      scopeId: uuid,
      generation: 2,
      previousGeneration: 1,
      nonce: bytes(24),
      ciphertext: bytes(48),
    };
    expect(() => validateHistoryLink(link)).not.toThrow();
    expect(() => validateHistoryLink({ ...link, previousGeneration: 0 })).toThrow(MalformedInputError);

    const grant: TeamKeyGrant = {
      version: 1,
      scopeId: uuid,
      generation: 1,
      recipientUserId: uuid,
      recipientBoxPublicKey: bytes(32),
      granterUserId: uuid,
      teamBoxPublicKey: bytes(32),
      sealedTeamSeed: bytes(80),
      signature: bytes(64),
    };
    expect(() => validateTeamKeyGrant(grant)).not.toThrow();
    expect(() => validateTeamKeyGrant({ ...grant, signature: bytes(63) })).toThrow(MalformedInputError);
    expect(() => validateTeamKeyGrant({ ...grant, version: 9 } as unknown as TeamKeyGrant)).toThrow(UnknownVersionError);
  });
});
