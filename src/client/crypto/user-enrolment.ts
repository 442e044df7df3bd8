/**
 * The key side of a user's life cycle: enrolment, unlocking after login or recovery,
 * and password change. Each function returns what the client keeps in memory and what it
 * sends; the HTTP calls belong to the SDK, not here.
 *
 * This module owns the order of operations (fresh salt per password, recovery key shown
 * once, derived public keys checked against the registered ones on unlock). It must
 * never put the password, k, the KEK, the recovery key or the seed into what it sends.
 */
import sodium from 'libsodium-wrappers-sumo';
import {
  EncryptedKeyBundle,
  EnrolmentKeyMaterial,
  KdfParameters,
  SeedWrapPurpose,
  TamperedError,
  UserPublicKeys,
  bytesEqual,
  fromBase64UrlOfLength,
  toBase64Url,
} from '../../crypto';
import { derivePasswordSecrets, generateKdfParameters } from './password-keys';
import { RandomSource, systemRandom } from './random-source';
import { deriveRecoverySecrets, generateRecoveryKey } from './recovery-keys';
import { unwrapUserSeed, wrapUserSeed } from './seed-wrapping';
import {
  UserKeyPairs,
  deriveUserKeyPairs,
  generateUserSeed,
  toUserPublicKeys,
  userKeyPairsFingerprint,
} from './user-keys';

export interface Enrolment {
  /** Sent to the server with the invitation token. */
  readonly material: EnrolmentKeyMaterial;
  /** Shown once (formatRecoveryKey) and then forgotten by the client. */
  readonly recoveryKey: Uint8Array;
  readonly userSeed: Uint8Array;
  readonly keys: UserKeyPairs;
}

export interface EnrolmentOptions {
  readonly random?: RandomSource;
  readonly opslimit?: number;
  readonly memlimit?: number;
}

export function enrolUser(password: string, options: EnrolmentOptions = {}): Enrolment {
  const random = options.random ?? systemRandom;
  const kdf = generateKdfParameters(random, options.opslimit, options.memlimit);
  const userSeed = generateUserSeed(random);
  const recoveryKey = generateRecoveryKey(random);
  const keys = deriveUserKeyPairs(userSeed);
  const passwordSecrets = derivePasswordSecrets(password, kdf);
  const recovery = deriveRecoverySecrets(recoveryKey);
  try {
    return {
      material: {
        publicKeys: toUserPublicKeys(keys),
        fingerprint: userKeyPairsFingerprint(keys),
        kdf,
        passwordBundle: wrapUserSeed(userSeed, passwordSecrets.kek, 'password', random),
        recoveryBundle: wrapUserSeed(userSeed, recovery.wrappingKey, 'recovery', random),
        authKey: toBase64Url(passwordSecrets.authKey),
        recoveryAuthKey: toBase64Url(recovery.authKey),
      },
      recoveryKey,
      userSeed,
      keys,
    };
  } finally {
    sodium.memzero(passwordSecrets.kek);
    sodium.memzero(recovery.wrappingKey);
  }
}

export interface UnlockedUser {
  readonly userSeed: Uint8Array;
  readonly keys: UserKeyPairs;
}

/**
 * Opens the user seed with the KEK (purpose "password") or the recovery wrapping key,
 * and checks that it derives the public keys the server has registered for this user.
 */
export function unlockUserKeys(
  bundle: EncryptedKeyBundle,
  wrappingKey: Uint8Array,
  purpose: SeedWrapPurpose,
  registered: UserPublicKeys,
): UnlockedUser {
  const userSeed = unwrapUserSeed(bundle, wrappingKey, purpose);
  const keys = deriveUserKeyPairs(userSeed);
  if (
    !bytesEqual(keys.boxPublicKey, fromBase64UrlOfLength(registered.boxPublicKey, 32, 'boxPublicKey')) ||
    !bytesEqual(keys.signPublicKey, fromBase64UrlOfLength(registered.signPublicKey, 32, 'signPublicKey'))
  ) {
    sodium.memzero(userSeed);
    throw new TamperedError('the seed bundle does not derive the registered public keys');
  }
  return { userSeed, keys };
}

export interface PasswordChange {
  readonly kdf: KdfParameters;
  readonly passwordBundle: EncryptedKeyBundle;
  /** The new authKey, base64url; sent with the old one. */
  readonly authKey: string;
}

/** New salt, new KEK and authKey, the same user seed re-wrapped. */
export function changePassword(
  userSeed: Uint8Array,
  newPassword: string,
  options: EnrolmentOptions = {},
): PasswordChange {
  const random = options.random ?? systemRandom;
  const kdf = generateKdfParameters(random, options.opslimit, options.memlimit);
  const secrets = derivePasswordSecrets(newPassword, kdf);
  try {
    return {
      kdf,
      passwordBundle: wrapUserSeed(userSeed, secrets.kek, 'password', random),
      authKey: toBase64Url(secrets.authKey),
    };
  } finally {
    sodium.memzero(secrets.kek);
  }
}
