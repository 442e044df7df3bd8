/**
 * Signing a data-key wrap with its writer's Ed25519 key, and the reader's check of it
 * before the wrap is opened (protocol 2, src/crypto/data-key-wrap-payload.ts).
 *
 * The signature binds the sealed key to one record (entity, recordId), one scope and
 * generation, and one writer; a reader who trusts the writer knows the key it opens is
 * this record's, whatever the server served alongside. This module must never sign a
 * wrap whose binding the caller has not checked (it signs what it is given) and never
 * report an unsigned (protocol 1) wrap as verified: that is UnsignedWrapError.
 */
import sodium from 'libsodium-wrappers-sumo';
import {
  BadSignatureError,
  MalformedInputError,
  SIGNATURE_BYTES,
  SIGN_PUBLIC_KEY_BYTES,
  UnsignedWrapError,
  assertCryptoReady,
  encodeDataKeyWrapMessage,
  fromBase64UrlOfLength,
  isSignedDataKeyWrap,
  toBase64Url,
  validateSignedDataKeyWrap,
  type DataKeyWrapBinding,
  type SealedDataKey,
  type SignedDataKeyWrap,
  type StoredDataKeyWrap,
} from '../../crypto';

/** `sealed` bound to `binding` under the writer's signature; ids are written lower case. */
export function signDataKeyWrap(sealed: SealedDataKey, binding: DataKeyWrapBinding, signSecretKey: Uint8Array): SignedDataKeyWrap {
  assertCryptoReady();
  const unsigned = {
    keyId: sealed.keyId.toLowerCase(),
    scopeId: sealed.scopeId.toLowerCase(),
    generation: sealed.generation,
    sealed: sealed.sealed,
    entity: binding.entity,
    recordId: binding.recordId.toLowerCase(),
    writerUserId: binding.writerUserId.toLowerCase(),
  };
  const signature = sodium.crypto_sign_detached(encodeDataKeyWrapMessage(unsigned), signSecretKey);
  return { ...unsigned, signature: toBase64Url(signature) };
}

/**
 * Throws unless `writerSignPublicKey` signed exactly this wrap: UnsignedWrapError for a
 * wrap without a signature (written before protocol 2), BadSignatureError for a
 * signature that does not verify. The caller checks that the binding is the record it
 * asked for and that the writer's key is one it trusts.
 */
export function verifyDataKeyWrap(wrap: SignedDataKeyWrap | StoredDataKeyWrap, writerSignPublicKey: Uint8Array): void {
  assertCryptoReady();
  if (!isSignedDataKeyWrap(wrap)) {
    throw new UnsignedWrapError(`the wrap of key ${wrap.keyId} carries no writer signature (written before protocol 2)`);
  }
  if (writerSignPublicKey.length !== SIGN_PUBLIC_KEY_BYTES) {
    throw new MalformedInputError(`an Ed25519 public key is ${SIGN_PUBLIC_KEY_BYTES} bytes`);
  }
  validateSignedDataKeyWrap(wrap);
  const signature = fromBase64UrlOfLength(wrap.signature, SIGNATURE_BYTES, 'signature');
  let valid: boolean;
  try {
    valid = sodium.crypto_sign_verify_detached(signature, encodeDataKeyWrapMessage(wrap), writerSignPublicKey);
  } catch {
    valid = false;
  }
  if (!valid) throw new BadSignatureError('data key wrap signature does not verify against the writer key');
}
