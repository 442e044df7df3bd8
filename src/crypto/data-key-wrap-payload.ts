/**
 * The signed data-key wrap (protocol 2): a sealed data key (key-bundles.ts) bound by its
 * writer's signature to the record it belongs to.
 *
 * message = tuple("egide-data-key-wrap", u8(2), entity, recordId 16 bytes, keyId 16 bytes,
 *                 scopeId 16 bytes, generation u32, writerUserId 16 bytes,
 *                 BLAKE2b-256(the 96 sealed bytes))
 *
 * Without it, the server could serve a record together with the wrap of another record's
 * key (the keyId sealed inside the box only binds the key to its label, not to a record).
 * This module owns the wrap's wire shape, its structural validation and its canonical
 * signed bytes; it never signs (src/client/crypto) and never verifies
 * (src/common/crypto/signature-verifier.ts). Needs readyCrypto() for the hash.
 */
import { DomainLabel, PROTOCOL_VERSION, SIGNATURE_BYTES } from './protocol-constants';
import { MalformedInputError } from './protocol-errors';
import { assertIdentifier, encodeLengthPrefixedTuple, fromBase64UrlOfLength, isUuid, u32be, u8, uuidToBytes } from './binary-encoding';
import { SEALED_DATA_KEY_BYTES, validateSealedDataKey, type SealedDataKey } from './key-bundles';
import { blake2b256 } from './protocol-hash';

/** Which record a wrap belongs to and who wrote it: what the writer's signature binds. */
export interface DataKeyWrapBinding {
  /** The record's entity, e.g. `case`. */
  readonly entity: string;
  readonly recordId: string;
  /** The signer; a server checks the signature against this user's registered key. */
  readonly writerUserId: string;
}

export type UnsignedDataKeyWrap = SealedDataKey & DataKeyWrapBinding;

/** What every client writes for a wrap (create, transfer, rotation, re-signing). */
export interface SignedDataKeyWrap extends UnsignedDataKeyWrap {
  /** Ed25519 by the writer over encodeDataKeyWrapMessage(wrap), 64 bytes, base64url. */
  readonly signature: string;
}

/**
 * A wrap as a server stores and serves it. A wrap written under protocol 1 has neither
 * writer nor signature (`null`): readers refuse it (UnsignedWrapError) until re-signed.
 */
export interface StoredDataKeyWrap extends SealedDataKey {
  readonly entity: string;
  readonly recordId: string;
  readonly writerUserId: string | null;
  readonly signature: string | null;
}

function assertUuid(value: unknown, what: string): void {
  if (typeof value !== 'string' || !isUuid(value)) throw new MalformedInputError(`${what} is not a UUID`);
}

function assertBinding(wrap: UnsignedDataKeyWrap): void {
  validateSealedDataKey(wrap);
  if (typeof wrap.entity !== 'string') throw new MalformedInputError('entity is not an identifier');
  assertIdentifier(wrap.entity, 'entity');
  assertUuid(wrap.recordId, 'recordId');
  assertUuid(wrap.writerUserId, 'writerUserId');
}

/** Structural checks a server runs before verifying the signature. */
export function validateSignedDataKeyWrap(wrap: SignedDataKeyWrap): void {
  assertBinding(wrap);
  if (typeof wrap.signature !== 'string') throw new MalformedInputError('signature is not base64url');
  fromBase64UrlOfLength(wrap.signature, SIGNATURE_BYTES, 'signature');
}

/** True when a stored wrap carries a writer and a signature (it may still not verify). */
export function isSignedDataKeyWrap(wrap: StoredDataKeyWrap): wrap is StoredDataKeyWrap & SignedDataKeyWrap {
  return wrap.writerUserId !== null && wrap.signature !== null;
}

/** The exact bytes the writer signs (needs readyCrypto()). */
export function encodeDataKeyWrapMessage(wrap: UnsignedDataKeyWrap): Uint8Array {
  assertBinding(wrap);
  return encodeLengthPrefixedTuple([
    DomainLabel.DataKeyWrapSignature,
    u8(PROTOCOL_VERSION),
    wrap.entity,
    uuidToBytes(wrap.recordId, 'recordId'),
    uuidToBytes(wrap.keyId, 'keyId'),
    uuidToBytes(wrap.scopeId, 'scopeId'),
    u32be(wrap.generation),
    uuidToBytes(wrap.writerUserId, 'writerUserId'),
    blake2b256(fromBase64UrlOfLength(wrap.sealed, SEALED_DATA_KEY_BYTES, 'sealed data key')),
  ]);
}
