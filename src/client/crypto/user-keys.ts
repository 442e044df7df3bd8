/**
 * A user's long-term keys, all derived from one 32-byte user seed:
 *
 *   box seed  = crypto_kdf_derive_from_key(32, UserSeedSubkey.BoxSeed,  "eguser__", seed)
 *   sign seed = crypto_kdf_derive_from_key(32, UserSeedSubkey.SignSeed, "eguser__", seed)
 *   X25519 key pair  = crypto_box_seed_keypair(box seed)
 *   Ed25519 key pair = crypto_sign_seed_keypair(sign seed)
 *
 * Deriving both pairs from one seed means one small secret to wrap, back up and rotate.
 * This module owns that derivation and the public half's wire form; it must never send
 * the seed or a secret key anywhere.
 */
import sodium from 'libsodium-wrappers-sumo';
import {
  KdfContext,
  MalformedInputError,
  SEED_BYTES,
  UserPublicKeys,
  UserSeedSubkey,
  assertCryptoReady,
  toBase64Url,
  userKeyFingerprint,
} from '../../crypto';
import { RandomSource, systemRandom } from './random-source';

export interface UserKeyPairs {
  readonly boxPublicKey: Uint8Array;
  readonly boxSecretKey: Uint8Array;
  readonly signPublicKey: Uint8Array;
  /** libsodium's 64-byte Ed25519 secret key (seed ‖ public key). */
  readonly signSecretKey: Uint8Array;
}

/** The two sub-seeds, exposed for test vectors and for interoperable implementations. */
export interface UserSubSeeds {
  readonly boxSeed: Uint8Array;
  readonly signSeed: Uint8Array;
}

export function generateUserSeed(random: RandomSource = systemRandom): Uint8Array {
  return random(SEED_BYTES);
}

export function deriveUserSubSeeds(userSeed: Uint8Array): UserSubSeeds {
  if (userSeed.length !== SEED_BYTES) {
    throw new MalformedInputError(`a user seed is ${SEED_BYTES} bytes`);
  }
  assertCryptoReady();
  return {
    boxSeed: sodium.crypto_kdf_derive_from_key(SEED_BYTES, UserSeedSubkey.BoxSeed, KdfContext.UserSeed, userSeed),
    signSeed: sodium.crypto_kdf_derive_from_key(SEED_BYTES, UserSeedSubkey.SignSeed, KdfContext.UserSeed, userSeed),
  };
}

export function deriveUserKeyPairs(userSeed: Uint8Array): UserKeyPairs {
  const { boxSeed, signSeed } = deriveUserSubSeeds(userSeed);
  try {
    const box = sodium.crypto_box_seed_keypair(boxSeed);
    const sign = sodium.crypto_sign_seed_keypair(signSeed);
    return {
      boxPublicKey: box.publicKey,
      boxSecretKey: box.privateKey,
      signPublicKey: sign.publicKey,
      signSecretKey: sign.privateKey,
    };
  } finally {
    sodium.memzero(boxSeed);
    sodium.memzero(signSeed);
  }
}

export function toUserPublicKeys(keys: Pick<UserKeyPairs, 'boxPublicKey' | 'signPublicKey'>): UserPublicKeys {
  return { boxPublicKey: toBase64Url(keys.boxPublicKey), signPublicKey: toBase64Url(keys.signPublicKey) };
}

/** The user's fingerprint, for enrolment screens and for granters to check. */
export function userKeyPairsFingerprint(keys: Pick<UserKeyPairs, 'boxPublicKey' | 'signPublicKey'>): string {
  return userKeyFingerprint(keys.boxPublicKey, keys.signPublicKey);
}
