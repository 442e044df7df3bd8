/**
 * Anonymous public-key encryption to an X25519 key (libsodium's sealed box), written out
 * from its primitives so that the ephemeral key can come from an injected RandomSource:
 *
 *   (epk, esk) = crypto_box_seed_keypair(random(32))
 *   nonce      = BLAKE2b-192(epk ‖ recipientPk)
 *   sealed     = epk ‖ crypto_box_easy(message, nonce, recipientPk, esk)
 *
 * This is byte for byte crypto_box_seal, so crypto_box_seal_open opens it and any
 * libsodium binding interoperates. This module owns sealing and opening; it must wipe
 * the ephemeral secret and never return an unauthenticated plaintext.
 */
import sodium from 'libsodium-wrappers-sumo';
import {
  BOX_PUBLIC_KEY_BYTES,
  MalformedInputError,
  NONCE_BYTES,
  SEALED_BOX_OVERHEAD_BYTES,
  SEED_BYTES,
  WrongKeyError,
  assertCryptoReady,
  concatBytes,
} from '../../crypto';
import { RandomSource, systemRandom } from './random-source';

/** Intermediate values of one seal, published in the test vectors. */
export interface SealedBoxTrace {
  readonly sealed: Uint8Array;
  readonly ephemeralSeed: Uint8Array;
  readonly ephemeralPublicKey: Uint8Array;
  readonly nonce: Uint8Array;
}

export function sealToPublicKeyTraced(
  message: Uint8Array,
  recipientPublicKey: Uint8Array,
  random: RandomSource = systemRandom,
): SealedBoxTrace {
  assertCryptoReady();
  if (recipientPublicKey.length !== BOX_PUBLIC_KEY_BYTES) {
    throw new MalformedInputError(`an X25519 public key is ${BOX_PUBLIC_KEY_BYTES} bytes`);
  }
  const ephemeralSeed = random(SEED_BYTES);
  const ephemeral = sodium.crypto_box_seed_keypair(ephemeralSeed);
  try {
    const nonce = sodium.crypto_generichash(
      NONCE_BYTES,
      concatBytes([ephemeral.publicKey, recipientPublicKey]),
      null,
    );
    const box = sodium.crypto_box_easy(message, nonce, recipientPublicKey, ephemeral.privateKey);
    return {
      sealed: concatBytes([ephemeral.publicKey, box]),
      ephemeralSeed,
      ephemeralPublicKey: ephemeral.publicKey,
      nonce,
    };
  } finally {
    sodium.memzero(ephemeral.privateKey);
  }
}

export function sealToPublicKey(
  message: Uint8Array,
  recipientPublicKey: Uint8Array,
  random: RandomSource = systemRandom,
): Uint8Array {
  const trace = sealToPublicKeyTraced(message, recipientPublicKey, random);
  sodium.memzero(trace.ephemeralSeed);
  return trace.sealed;
}

/** Opens a sealed box; a box for another recipient or an altered one is a WrongKeyError. */
export function openSealedBox(
  sealed: Uint8Array,
  recipientPublicKey: Uint8Array,
  recipientSecretKey: Uint8Array,
  expectedPlaintextLength: number,
): Uint8Array {
  assertCryptoReady();
  if (sealed.length !== expectedPlaintextLength + SEALED_BOX_OVERHEAD_BYTES) {
    throw new MalformedInputError('sealed box has the wrong length');
  }
  try {
    return sodium.crypto_box_seal_open(sealed, recipientPublicKey, recipientSecretKey);
  } catch {
    throw new WrongKeyError('sealed box is not for this key (or was altered)');
  }
}
