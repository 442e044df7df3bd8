/**
 * The bytes an author signs for a revision of sealed content, shared by the signing
 * client, the verifying server and every verifying reader.
 *
 * message = tuple("egide-revision", protocol version u8, entity, recordId 16 bytes,
 *                 record version u32, authorUserId 16 bytes,
 *                 BLAKE2b-256(tuple("egide-envelope-list", count u32,
 *                                   field₁, envelope₁ bytes, field₂, envelope₂ bytes, …)))
 * with fields sorted by their ASCII bytes and each envelope as its decoded bytes.
 *
 * This module owns that canonical form and nothing else: it never signs (that needs a
 * secret key, src/client/crypto) and never verifies (the server: src/common/crypto/signature-verifier.ts).
 */
import {
  DomainLabel,
  MAX_FIELDS_PER_REVISION,
  REVISION_MESSAGE_VERSION,
} from './protocol-constants';
import { MalformedInputError, OverCapError } from './protocol-errors';
import {
  assertIdentifier,
  encodeLengthPrefixedTuple,
  TupleElement,
  u32be,
  u8,
  uuidToBytes,
} from './binary-encoding';
import { decodeEnvelope } from './envelope';
import { blake2b256 } from './protocol-hash';

/** One sealed field of a revision as it travels: field name and envelope string. */
export interface SealedFieldEntry {
  readonly field: string;
  readonly envelope: string;
}

/** What a revision signature covers. Serialisable as is. */
export interface RevisionSignaturePayload {
  readonly entity: string;
  readonly recordId: string;
  /** The record's version: 1 on create, +1 on every update of sealed content. */
  readonly version: number;
  /** The signer; the server checks the signature against this user's registered key. */
  readonly authorUserId: string;
  /** Every sealed field of the record at this version. Order does not matter. */
  readonly envelopes: readonly SealedFieldEntry[];
}

/** A payload with its detached Ed25519 signature (base64url, 64 bytes). */
export interface SignedRevision extends RevisionSignaturePayload {
  readonly signature: string;
}

/** A revision's envelope, decoded and structurally checked once, for reuse by readers. */
export interface DecodedEnvelopeEntry {
  readonly field: string;
  readonly envelope: string;
  readonly bytes: Uint8Array;
}

/**
 * Sorted by field, duplicate-free and structurally valid, or an error: the only canonical
 * list. Readers keep the decoded bytes to open the fields without decoding them again.
 */
export function decodeRevisionEnvelopes(entries: readonly SealedFieldEntry[]): DecodedEnvelopeEntry[] {
  if (entries.length > MAX_FIELDS_PER_REVISION) {
    throw new OverCapError(`a revision carries at most ${MAX_FIELDS_PER_REVISION} sealed fields`);
  }
  const sorted = [...entries].sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
  return sorted.map((entry, i) => {
    assertIdentifier(entry.field, 'field');
    if (i > 0 && sorted[i - 1].field === entry.field) {
      throw new MalformedInputError(`field ${entry.field} appears twice in one revision`);
    }
    return { field: entry.field, envelope: entry.envelope, bytes: decodeEnvelope(entry.envelope) };
  });
}

export function canonicalEnvelopeList(entries: readonly SealedFieldEntry[]): SealedFieldEntry[] {
  return decodeRevisionEnvelopes(entries).map(({ field, envelope }) => ({ field, envelope }));
}

export function encodeEnvelopeList(
  entries: readonly SealedFieldEntry[],
  decoded: readonly DecodedEnvelopeEntry[] = decodeRevisionEnvelopes(entries),
): Uint8Array {
  const elements: TupleElement[] = [DomainLabel.EnvelopeList, u32be(decoded.length)];
  for (const { field, bytes } of decoded) {
    elements.push(field, bytes);
  }
  return encodeLengthPrefixedTuple(elements);
}

/**
 * BLAKE2b-256 of the canonical envelope list (needs readyCrypto()). `decoded`, when given,
 * must be decodeRevisionEnvelopes(entries): it only saves decoding the envelopes twice.
 */
export function hashEnvelopeList(
  entries: readonly SealedFieldEntry[],
  decoded?: readonly DecodedEnvelopeEntry[],
): Uint8Array {
  return blake2b256(encodeEnvelopeList(entries, decoded));
}

/** The exact bytes that are signed for a revision (needs readyCrypto()). */
export function encodeRevisionSignatureMessage(
  payload: RevisionSignaturePayload,
  decoded?: readonly DecodedEnvelopeEntry[],
): Uint8Array {
  assertIdentifier(payload.entity, 'entity');
  if (!Number.isInteger(payload.version) || payload.version < 1) {
    throw new MalformedInputError('record version must be a positive integer');
  }
  return encodeLengthPrefixedTuple([
    DomainLabel.RevisionSignature,
    u8(REVISION_MESSAGE_VERSION),
    payload.entity,
    uuidToBytes(payload.recordId, 'recordId'),
    u32be(payload.version),
    uuidToBytes(payload.authorUserId, 'authorUserId'),
    hashEnvelopeList(payload.envelopes, decoded),
  ]);
}
