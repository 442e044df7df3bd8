/**
 * Wrapping a 32-byte seed under a 32-byte key with XChaCha20-Poly1305: the user seed
 * under the KEK or the recovery wrapping key, and (via wrapSeedWithAssociatedData) a
 * team seed under the next generation's history key.
 *
 * This module owns the EncryptedKeyBundle format and its associated data
 * ("egide-seed-wrap", version, alg, purpose), so a password bundle cannot be presented
 * as a recovery bundle. It must never return a seed that did not authenticate: any
 * failure is a WrongKeyError (wrong password or recovery key, or an altered bundle,
 * which AEAD cannot tell apart).
 */
import sodium from 'libsodium-wrappers-sumo';
import {
  Algorithm,
  EncryptedKeyBundle,
  KEY_BUNDLE_VERSION,
  KEY_BYTES,
  MalformedInputError,
  NONCE_BYTES,
  SEED_BYTES,
  SeedWrapPurpose,
  WRAPPED_SEED_BYTES,
  WrongKeyError,
  assertCryptoReady,
  encodeSeedWrapAssociatedData,
  fromBase64UrlOfLength,
  toBase64Url,
  validateEncryptedKeyBundle,
} from '../../crypto';
import { RandomSource, systemRandom } from './random-source';

export interface WrappedSeed {
  readonly nonce: Uint8Array;
  readonly ciphertext: Uint8Array;
}

function assertKey(key: Uint8Array, what: string): void {
  if (key.length !== KEY_BYTES) throw new MalformedInputError(`${what} must be ${KEY_BYTES} bytes`);
}

export function wrapSeedWithAssociatedData(
  seed: Uint8Array,
  wrappingKey: Uint8Array,
  associatedData: Uint8Array,
  random: RandomSource,
): WrappedSeed {
  assertCryptoReady();
  if (seed.length !== SEED_BYTES) throw new MalformedInputError(`a seed is ${SEED_BYTES} bytes`);
  assertKey(wrappingKey, 'wrapping key');
  const nonce = random(NONCE_BYTES);
  const ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(seed, associatedData, null, nonce, wrappingKey);
  return { nonce, ciphertext };
}

/** Returns the seed, or throws `onFailure()`; never a partial or unauthenticated seed. */
export function unwrapSeedWithAssociatedData(
  wrapped: WrappedSeed,
  wrappingKey: Uint8Array,
  associatedData: Uint8Array,
  onFailure: () => Error,
): Uint8Array {
  assertCryptoReady();
  assertKey(wrappingKey, 'wrapping key');
  if (wrapped.nonce.length !== NONCE_BYTES || wrapped.ciphertext.length !== WRAPPED_SEED_BYTES) {
    throw new MalformedInputError('wrapped seed has the wrong length');
  }
  try {
    return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      wrapped.ciphertext,
      associatedData,
      wrapped.nonce,
      wrappingKey,
    );
  } catch {
    throw onFailure();
  }
}

/** The user seed under the KEK (purpose "password") or the recovery wrapping key. */
export function wrapUserSeed(
  userSeed: Uint8Array,
  wrappingKey: Uint8Array,
  purpose: SeedWrapPurpose,
  random: RandomSource = systemRandom,
): EncryptedKeyBundle {
  const wrapped = wrapSeedWithAssociatedData(userSeed, wrappingKey, encodeSeedWrapAssociatedData(purpose), random);
  return {
    version: KEY_BUNDLE_VERSION,
    algorithm: Algorithm.XChaCha20Poly1305Ietf,
    purpose,
    nonce: toBase64Url(wrapped.nonce),
    ciphertext: toBase64Url(wrapped.ciphertext),
  };
}

export function unwrapUserSeed(
  bundle: EncryptedKeyBundle,
  wrappingKey: Uint8Array,
  expectedPurpose: SeedWrapPurpose,
): Uint8Array {
  validateEncryptedKeyBundle(bundle);
  if (bundle.purpose !== expectedPurpose) {
    throw new WrongKeyError(`this is a ${bundle.purpose} bundle, not a ${expectedPurpose} bundle`);
  }
  return unwrapSeedWithAssociatedData(
    {
      nonce: fromBase64UrlOfLength(bundle.nonce, NONCE_BYTES, 'nonce'),
      ciphertext: fromBase64UrlOfLength(bundle.ciphertext, WRAPPED_SEED_BYTES, 'wrapped seed'),
    },
    wrappingKey,
    encodeSeedWrapAssociatedData(expectedPurpose),
    () =>
      new WrongKeyError(
        expectedPurpose === 'password'
          ? 'the password does not open this seed bundle (or the bundle was altered)'
          : 'the recovery key does not open this seed bundle (or the bundle was altered)',
      ),
  );
}
