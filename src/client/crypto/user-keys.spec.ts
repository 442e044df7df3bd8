import sodium from 'libsodium-wrappers-sumo';
import {
  EncryptedKeyBundle,
  KdfBelowFloorError,
  KdfAboveCeilingError,
  KdfParameters,
  MalformedInputError,
  TamperedError,
  UnknownAlgorithmError,
  WrongKeyError,
  fromBase64Url,
  isFingerprint,
  readyCrypto,
  toBase64Url,
  validateEnrolmentKeyMaterial,
} from '../../crypto';
import {
  assertKdfParametersAcceptable,
  derivePasswordKey,
  derivePasswordSecrets,
  generateKdfParameters,
  splitPasswordKey,
} from './password-keys';
import { deriveRecoverySecrets, formatRecoveryKey, generateRecoveryKey, parseRecoveryKey } from './recovery-keys';
import { unwrapUserSeed, wrapUserSeed } from './seed-wrapping';
import { Enrolment, changePassword, enrolUser, unlockUserKeys } from './user-enrolment';
import { deriveUserKeyPairs, generateUserSeed } from './user-keys';

const floor = { opslimit: 3, memlimit: 64 * 1024 * 1024 };

describe('user keys', () => {
  let enrolment: Enrolment;

  beforeAll(async () => {
    await readyCrypto();
    enrolment = enrolUser('correct horse battery staple');
  });

  describe('the Argon2id floor', () => {
    const salt = toBase64Url(new Uint8Array(16));
    it.each([
      { opslimit: 2, memlimit: floor.memlimit },
      { opslimit: 1, memlimit: floor.memlimit },
      { opslimit: 3, memlimit: floor.memlimit - 1 },
      { opslimit: 3, memlimit: 8 * 1024 * 1024 },
      { opslimit: 0, memlimit: 0 },
    ])('refuses opslimit $opslimit memlimit $memlimit before doing any work', (limits) => {
      const params: KdfParameters = { algorithm: 'argon2id13', salt, ...limits };
      // "Before any work": Argon2id is never called (a call count, not a timing).
      const argon2id = jest.spyOn(sodium, 'crypto_pwhash');
      try {
        expect(() => derivePasswordKey('pw', params)).toThrow(KdfBelowFloorError);
        expect(() => derivePasswordSecrets('pw', params)).toThrow(KdfBelowFloorError);
        expect(argon2id).not.toHaveBeenCalled();
      } finally {
        argon2id.mockRestore();
      }
    });

    it('does call Argon2id at the floor (so the check above watches the right function)', () => {
      const argon2id = jest.spyOn(sodium, 'crypto_pwhash');
      try {
        derivePasswordKey('pw', { algorithm: 'argon2id13', salt, ...floor });
        expect(argon2id).toHaveBeenCalledTimes(1);
      } finally {
        argon2id.mockRestore();
      }
    });

    it('refuses absurd parameters a hostile server could send to stall the client', () => {
      const params: KdfParameters = { algorithm: 'argon2id13', salt, opslimit: 3, memlimit: 4 * 1024 ** 3 };
      expect(() => assertKdfParametersAcceptable(params)).toThrow(KdfAboveCeilingError);
      expect(() => assertKdfParametersAcceptable({ ...params, memlimit: floor.memlimit, opslimit: 1000 })).toThrow(
        KdfAboveCeilingError,
      );
    });

    it('refuses an unknown KDF and a bad salt', () => {
      const params = { algorithm: 'argon2i13', salt, ...floor } as unknown as KdfParameters;
      expect(() => derivePasswordKey('pw', params)).toThrow(UnknownAlgorithmError);
      expect(() => derivePasswordKey('pw', { algorithm: 'argon2id13', salt: 'AAAA', ...floor })).toThrow(
        MalformedInputError,
      );
    });

    it('refuses to generate weak parameters', () => {
      expect(() => generateKdfParameters(undefined, 2, floor.memlimit)).toThrow(KdfBelowFloorError);
      expect(generateKdfParameters()).toMatchObject({ algorithm: 'argon2id13', ...floor });
    });
  });

  it('derives k with Argon2id at the floor, and KEK ≠ authKey ≠ k', () => {
    const params: KdfParameters = { algorithm: 'argon2id13', salt: toBase64Url(new Uint8Array(16).fill(1)), ...floor };
    const k = derivePasswordKey('pässword', params);
    expect(k).toEqual(
      sodium.crypto_pwhash(32, 'pässword', new Uint8Array(16).fill(1), 3, floor.memlimit, sodium.crypto_pwhash_ALG_ARGON2ID13),
    );
    // The same password typed decomposed (a + combining diaeresis) gives the same key.
    expect(derivePasswordKey('pa\u0308ssword', params)).toEqual(k);
    const { kek, authKey } = splitPasswordKey(k);
    expect(new Set([k, kek, authKey].map(toBase64Url)).size).toBe(3);
    expect(kek).toEqual(sodium.crypto_kdf_derive_from_key(32, 1, 'egpasswd', k));
    expect(authKey).toEqual(sodium.crypto_kdf_derive_from_key(32, 2, 'egpasswd', k));
  });

  it('derives both key pairs deterministically from the user seed', () => {
    const seed = generateUserSeed();
    const a = deriveUserKeyPairs(seed);
    const b = deriveUserKeyPairs(Uint8Array.from(seed));
    expect(a.boxPublicKey).toEqual(b.boxPublicKey);
    expect(a.signPublicKey).toEqual(b.signPublicKey);
    expect(sodium.crypto_scalarmult_base(a.boxSecretKey)).toEqual(a.boxPublicKey);
    const signature = sodium.crypto_sign_detached('m', a.signSecretKey);
    expect(sodium.crypto_sign_verify_detached(signature, 'm', a.signPublicKey)).toBe(true);
    expect(() => deriveUserKeyPairs(new Uint8Array(31))).toThrow(MalformedInputError);
  });

  it('wraps and unwraps a seed; a wrong key, a swapped purpose or an altered bundle fails', () => {
    const seed = generateUserSeed();
    const key = sodium.randombytes_buf(32);
    const bundle = wrapUserSeed(seed, key, 'password');
    expect(unwrapUserSeed(bundle, key, 'password')).toEqual(seed);
    expect(() => unwrapUserSeed(bundle, sodium.randombytes_buf(32), 'password')).toThrow(WrongKeyError);
    expect(() => unwrapUserSeed(bundle, key, 'recovery')).toThrow(WrongKeyError);
    const relabelled: EncryptedKeyBundle = { ...bundle, purpose: 'recovery' };
    expect(() => unwrapUserSeed(relabelled, key, 'recovery')).toThrow(WrongKeyError);
    const ciphertext = Uint8Array.from(fromBase64Url(bundle.ciphertext));
    ciphertext[5] ^= 1;
    expect(() => unwrapUserSeed({ ...bundle, ciphertext: toBase64Url(ciphertext) }, key, 'password')).toThrow(
      WrongKeyError,
    );
  });

  it('enrols: sends public keys, wrapped seeds, KDF parameters and authKeys, never a secret', () => {
    const { material } = enrolment;
    expect(() => validateEnrolmentKeyMaterial(material)).not.toThrow();
    expect(isFingerprint(material.fingerprint)).toBe(true);
    const sent = JSON.stringify(material);
    for (const secret of [
      enrolment.userSeed,
      enrolment.recoveryKey,
      enrolment.keys.boxSecretKey,
      enrolment.keys.signSecretKey.subarray(0, 32),
    ]) {
      expect(sent).not.toContain(toBase64Url(secret));
    }
    expect(sent).not.toContain('correct horse');
  });

  it('unlocks with the password and with the recovery key, and refuses a wrong one', () => {
    const { material } = enrolment;
    const secrets = derivePasswordSecrets('correct horse battery staple', material.kdf);
    expect(toBase64Url(secrets.authKey)).toBe(material.authKey);
    const unlocked = unlockUserKeys(material.passwordBundle, secrets.kek, 'password', material.publicKeys);
    expect(unlocked.userSeed).toEqual(enrolment.userSeed);

    const recovery = deriveRecoverySecrets(parseRecoveryKey(formatRecoveryKey(enrolment.recoveryKey)));
    expect(toBase64Url(recovery.authKey)).toBe(material.recoveryAuthKey);
    expect(unlockUserKeys(material.recoveryBundle, recovery.wrappingKey, 'recovery', material.publicKeys).userSeed).toEqual(
      enrolment.userSeed,
    );

    const wrong = derivePasswordSecrets('correct horse battery stapler', material.kdf);
    expect(() => unlockUserKeys(material.passwordBundle, wrong.kek, 'password', material.publicKeys)).toThrow(WrongKeyError);
    const otherRecovery = deriveRecoverySecrets(generateRecoveryKey());
    expect(() => unlockUserKeys(material.recoveryBundle, otherRecovery.wrappingKey, 'recovery', material.publicKeys)).toThrow(
      WrongKeyError,
    );
  });

  it('refuses a seed bundle that does not derive the registered public keys', () => {
    const stranger = enrolUser('another password entirely');
    const secrets = derivePasswordSecrets('another password entirely', stranger.material.kdf);
    expect(() =>
      unlockUserKeys(stranger.material.passwordBundle, secrets.kek, 'password', enrolment.material.publicKeys),
    ).toThrow(TamperedError);
  });

  it('changes the password: new salt, new authKey, same seed', () => {
    const change = changePassword(enrolment.userSeed, 'a new long passphrase');
    expect(change.kdf.salt).not.toBe(enrolment.material.kdf.salt);
    const secrets = derivePasswordSecrets('a new long passphrase', change.kdf);
    expect(toBase64Url(secrets.authKey)).toBe(change.authKey);
    expect(unlockUserKeys(change.passwordBundle, secrets.kek, 'password', enrolment.material.publicKeys).userSeed).toEqual(
      enrolment.userSeed,
    );
  });

  it('formats the recovery key for people and parses it back forgivingly', () => {
    const key = generateRecoveryKey();
    const text = formatRecoveryKey(key);
    expect(text).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){12}[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(parseRecoveryKey(text)).toEqual(key);
    expect(parseRecoveryKey(text.toLowerCase().replace(/-/g, ' ').replace(/1/g, 'l').replace(/0/g, 'o'))).toEqual(key);
    expect(() => parseRecoveryKey(text.slice(0, -1))).toThrow(MalformedInputError);
    expect(() => parseRecoveryKey(`${text.slice(0, -1)}U`)).toThrow(MalformedInputError);
  });
});
