/**
 * Signing a revision of sealed content with the author's Ed25519 key, and the reader's
 * re-verification of it.
 *
 * This module owns the client side of revision signatures: the signed bytes are
 * src/crypto/revision-payload.ts's, so the server (node:crypto) and every client
 * (libsodium) check the same message. It must never sign anything but that canonical
 * message: a signature over other bytes could be replayed as a revision.
 */
import sodium from 'libsodium-wrappers-sumo';
import {
  BadSignatureError,
  MalformedInputError,
  RevisionSignaturePayload,
  SIGNATURE_BYTES,
  SIGN_PUBLIC_KEY_BYTES,
  SignedRevision,
  assertCryptoReady,
  encodeRevisionSignatureMessage,
  fromBase64UrlOfLength,
  toBase64Url,
} from '../../crypto';

export function signRevision(payload: RevisionSignaturePayload, signSecretKey: Uint8Array): SignedRevision {
  assertCryptoReady();
  const signature = sodium.crypto_sign_detached(encodeRevisionSignatureMessage(payload), signSecretKey);
  return { ...payload, envelopes: [...payload.envelopes], signature: toBase64Url(signature) };
}

/** Throws BadSignatureError unless `authorSignPublicKey` signed exactly this revision. */
export function verifyRevision(revision: SignedRevision, authorSignPublicKey: Uint8Array): void {
  assertCryptoReady();
  if (authorSignPublicKey.length !== SIGN_PUBLIC_KEY_BYTES) {
    throw new MalformedInputError(`an Ed25519 public key is ${SIGN_PUBLIC_KEY_BYTES} bytes`);
  }
  const signature = fromBase64UrlOfLength(revision.signature, SIGNATURE_BYTES, 'signature');
  const message = encodeRevisionSignatureMessage(revision);
  let valid: boolean;
  try {
    valid = sodium.crypto_sign_verify_detached(signature, message, authorSignPublicKey);
  } catch {
    valid = false;
  }
  if (!valid) {
    throw new BadSignatureError('revision signature does not verify against the author key');
  }
}
