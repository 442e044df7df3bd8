/**
 * Server-side verification of Ed25519 signatures (revisions, team key grants, data-key
 * wraps and record actions) with node:crypto: native OpenSSL, public keys only, no WASM on the request path.
 *
 * This module owns the check "this public key signed these exact bytes". It must never
 * hold or accept a secret key and never decide who may write: the caller looks up the
 * author's registered key and their permission. The client SDK verifies the same
 * signatures with libsodium; both accept exactly RFC 8032 Ed25519 signatures.
 *
 * Server only: it lives here, not in src/crypto, because it needs node:crypto and
 * src/crypto is part of the browser SDK (docs/sdk.md). The SDK must never import it.
 */
import { createPublicKey, KeyObject, verify } from 'node:crypto';
import { SIGN_PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from '../../crypto/protocol-constants';
import { BadSignatureError, MalformedInputError } from '../../crypto/protocol-errors';
import { fromBase64UrlOfLength, toBase64Url } from '../../crypto/binary-encoding';
import { encodeDataKeyWrapMessage, validateSignedDataKeyWrap, type SignedDataKeyWrap } from '../../crypto/data-key-wrap-payload';
import { encodeRecordActionMessage, type RecordAction } from '../../crypto/record-action-payload';
import { encodeRevisionSignatureMessage, SignedRevision } from '../../crypto/revision-payload';
import { encodeTeamKeyGrantMessage, TeamKeyGrant, validateTeamKeyGrant } from '../../crypto/team-grant-payload';

/** A registered public key decoded once, so a hot path does not re-import it per request. */
export function importSignPublicKey(publicKey: Uint8Array | string): KeyObject {
  const bytes =
    typeof publicKey === 'string'
      ? fromBase64UrlOfLength(publicKey, SIGN_PUBLIC_KEY_BYTES, 'sign public key')
      : publicKey;
  if (bytes.length !== SIGN_PUBLIC_KEY_BYTES) {
    throw new MalformedInputError(`an Ed25519 public key is ${SIGN_PUBLIC_KEY_BYTES} bytes`);
  }
  try {
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: toBase64Url(bytes) }, format: 'jwk' });
  } catch {
    throw new MalformedInputError('not an Ed25519 public key');
  }
}

/** True only when `signature` is a valid Ed25519 signature of `message` by `publicKey`. */
export function isValidEd25519Signature(
  publicKey: KeyObject | Uint8Array | string,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (signature.length !== SIGNATURE_BYTES) return false;
  const key = publicKey instanceof KeyObject ? publicKey : importSignPublicKey(publicKey);
  try {
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}

export function assertEd25519Signature(
  publicKey: KeyObject | Uint8Array | string,
  message: Uint8Array,
  signature: Uint8Array,
  what: string,
): void {
  if (!isValidEd25519Signature(publicKey, message, signature)) {
    throw new BadSignatureError(`${what} signature does not verify`);
  }
}

/**
 * The server's check of a revision: the structure and the author's signature over the
 * canonical payload (needs readyCrypto() for the envelope-list hash).
 */
export function verifyRevisionSignatureOnServer(
  revision: SignedRevision,
  authorSignPublicKey: KeyObject | Uint8Array | string,
): void {
  const signature = fromBase64UrlOfLength(revision.signature, SIGNATURE_BYTES, 'signature');
  assertEd25519Signature(authorSignPublicKey, encodeRevisionSignatureMessage(revision), signature, 'revision');
}

/** The server's check of a team key grant: structure and the granter's signature. */
export function verifyTeamKeyGrantOnServer(
  grant: TeamKeyGrant,
  granterSignPublicKey: KeyObject | Uint8Array | string,
): void {
  validateTeamKeyGrant(grant);
  const signature = fromBase64UrlOfLength(grant.signature, SIGNATURE_BYTES, 'signature');
  assertEd25519Signature(granterSignPublicKey, encodeTeamKeyGrantMessage(grant), signature, 'grant');
}

/**
 * The server's check of a data-key wrap: structure and the writer's signature over the
 * canonical message (needs readyCrypto() for the sealed-bytes hash). Whether the binding
 * names the right record and the writer is the caller is the caller's to check.
 */
export function verifyDataKeyWrapOnServer(
  wrap: SignedDataKeyWrap,
  writerSignPublicKey: KeyObject | Uint8Array | string,
): void {
  validateSignedDataKeyWrap(wrap);
  const signature = fromBase64UrlOfLength(wrap.signature, SIGNATURE_BYTES, 'signature');
  assertEd25519Signature(writerSignPublicKey, encodeDataKeyWrapMessage(wrap), signature, 'data key wrap');
}

/** The server's check of a signed record action (shred, transfer) by its actor. */
export function verifyRecordActionOnServer(
  action: RecordAction,
  signature: string,
  actorSignPublicKey: KeyObject | Uint8Array | string,
): void {
  const bytes = fromBase64UrlOfLength(signature, SIGNATURE_BYTES, 'signature');
  assertEd25519Signature(actorSignPublicKey, encodeRecordActionMessage(action), bytes, 'record action');
}
