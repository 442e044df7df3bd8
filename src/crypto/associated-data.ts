/**
 * Canonical associated data for every authenticated encryption in the protocol.
 *
 * This module owns the exact bytes that bind a ciphertext to its place: a sealed field
 * to (entity, record, field, key), a wrapped user seed to its purpose, a history link
 * to (scope, generations), an attachment stream to its record. The reader builds these
 * bytes from where it found the data, never from the ciphertext itself, so a ciphertext
 * moved elsewhere fails to open. It must never take a value out of an envelope to
 * build associated data, and it holds no key.
 */
import {
  Algorithm,
  AlgorithmId,
  ATTACHMENT_STREAM_ALGORITHM,
  ATTACHMENT_STREAM_VERSION,
  DomainLabel,
  ENVELOPE_VERSION,
  KEY_BUNDLE_VERSION,
} from './protocol-constants';
import {
  assertIdentifier,
  concatBytes,
  encodeLengthPrefixedTuple,
  u32be,
  u8,
  uuidToBytes,
} from './binary-encoding';

/** Where a sealed field lives, as the reader knows it from the row it read. */
export interface FieldLocation {
  /** Entity name, e.g. `case`, `timeline_event`, `visa_request`, `placement`, `refuge`. */
  readonly entity: string;
  /** The record's UUID. */
  readonly recordId: string;
  /** Field name within the entity, e.g. `defender_name`, `narrative`. */
  readonly field: string;
}

/**
 * AD of a sealed field: the length-prefixed tuple
 * ("egide", version u8, alg u8, entity, recordId 16 bytes, field, keyId 16 bytes).
 */
export function encodeFieldAssociatedData(
  location: FieldLocation,
  keyId: string,
  version: number = ENVELOPE_VERSION,
  algorithm: AlgorithmId = Algorithm.XChaCha20Poly1305Ietf,
): Uint8Array {
  return fieldAssociatedDataEncoder(location.entity, location.recordId, keyId, version, algorithm)(location.field);
}

/**
 * The same AD for many fields of one record and key: everything but the field is encoded
 * once, which matters when a reader opens a whole revision.
 */
export function fieldAssociatedDataEncoder(
  entity: string,
  recordId: string,
  keyId: string,
  version: number = ENVELOPE_VERSION,
  algorithm: AlgorithmId = Algorithm.XChaCha20Poly1305Ietf,
): (field: string) => Uint8Array {
  assertIdentifier(entity, 'entity');
  const prefix = encodeLengthPrefixedTuple([
    DomainLabel.FieldAssociatedData,
    u8(version),
    u8(algorithm),
    entity,
    uuidToBytes(recordId, 'recordId'),
  ]);
  const suffix = encodeLengthPrefixedTuple([uuidToBytes(keyId, 'keyId')]);
  return (field) => {
    assertIdentifier(field, 'field');
    return concatBytes([prefix, encodeLengthPrefixedTuple([field]), suffix]);
  };
}

/** Why a user seed was wrapped; the two bundles cannot be swapped for one another. */
export type SeedWrapPurpose = 'password' | 'recovery';

/** AD of a wrapped user seed: ("egide-seed-wrap", version u8, alg u8, purpose). */
export function encodeSeedWrapAssociatedData(purpose: SeedWrapPurpose): Uint8Array {
  return encodeLengthPrefixedTuple([
    DomainLabel.SeedWrapAssociatedData,
    u8(KEY_BUNDLE_VERSION),
    u8(Algorithm.XChaCha20Poly1305Ietf),
    purpose,
  ]);
}

/**
 * AD of a history link: ("egide-history-link", version u8, alg u8, scopeId 16 bytes,
 * newer generation u32, older generation u32).
 */
export function encodeHistoryLinkAssociatedData(
  scopeId: string,
  newerGeneration: number,
  olderGeneration: number,
): Uint8Array {
  return encodeLengthPrefixedTuple([
    DomainLabel.HistoryLinkAssociatedData,
    u8(KEY_BUNDLE_VERSION),
    u8(Algorithm.XChaCha20Poly1305Ietf),
    uuidToBytes(scopeId, 'scopeId'),
    u32be(newerGeneration),
    u32be(olderGeneration),
  ]);
}

/** Where an attachment lives, as the reader knows it. */
export interface AttachmentLocation {
  readonly entity: string;
  readonly recordId: string;
  readonly attachmentId: string;
}

/**
 * AD of every chunk of an attachment stream: ("egide-attachment", version u8, alg u8,
 * entity, recordId 16 bytes, attachmentId 16 bytes, keyId 16 bytes).
 */
export function encodeAttachmentAssociatedData(location: AttachmentLocation, keyId: string): Uint8Array {
  assertIdentifier(location.entity, 'entity');
  return encodeLengthPrefixedTuple([
    DomainLabel.AttachmentAssociatedData,
    u8(ATTACHMENT_STREAM_VERSION),
    u8(ATTACHMENT_STREAM_ALGORITHM),
    location.entity,
    uuidToBytes(location.recordId, 'recordId'),
    uuidToBytes(location.attachmentId, 'attachmentId'),
    uuidToBytes(keyId, 'keyId'),
  ]);
}
