/**
 * A record's sealed content as a whole: sealing every field of one revision and signing
 * it, and the reader's verify-then-open of a signed revision.
 *
 * This module owns the order readers must follow: the author's signature over the whole
 * envelope list is checked before any field is opened, and a revision is returned whole
 * or not at all. It must never return fields of a revision whose signature failed, and
 * it decodes each envelope once (the read path is the hot one).
 */
import sodium from 'libsodium-wrappers-sumo';
import {
  BadSignatureError,
  MalformedInputError,
  SIGNATURE_BYTES,
  SIGN_PUBLIC_KEY_BYTES,
  SignedRevision,
  assertCryptoReady,
  decodeRevisionEnvelopes,
  encodeRevisionSignatureMessage,
  fromBase64UrlOfLength,
} from '../../crypto';
import { DataKey } from './data-keys';
import { JsonValue, openDecodedFields, sealField } from './field-envelopes';
import { RandomSource, systemRandom } from './random-source';
import { signRevision } from './revision-signatures';

/** The clear coordinates of a revision: what is signed besides the envelopes. */
export interface RevisionCoordinates {
  readonly entity: string;
  readonly recordId: string;
  readonly version: number;
  readonly authorUserId: string;
}

/** Seals every field under the record's data key and signs the revision. */
export function sealRevision(
  coordinates: RevisionCoordinates,
  fields: Readonly<Record<string, JsonValue>>,
  dataKey: DataKey,
  authorSignSecretKey: Uint8Array,
  random: RandomSource = systemRandom,
): SignedRevision {
  const envelopes = Object.keys(fields).map((field) => ({
    field,
    envelope: sealField(fields[field], { entity: coordinates.entity, recordId: coordinates.recordId, field }, dataKey, random),
  }));
  return signRevision({ ...coordinates, envelopes }, authorSignSecretKey);
}

/**
 * Verifies the author's signature, then opens every field with associated data built
 * from the revision's own coordinates (which the caller has matched to the row it read).
 */
export function openRevision(
  revision: SignedRevision,
  authorSignPublicKey: Uint8Array,
  dataKey: DataKey,
): Record<string, JsonValue> {
  assertCryptoReady();
  if (authorSignPublicKey.length !== SIGN_PUBLIC_KEY_BYTES) {
    throw new MalformedInputError(`an Ed25519 public key is ${SIGN_PUBLIC_KEY_BYTES} bytes`);
  }
  const decoded = decodeRevisionEnvelopes(revision.envelopes);
  const signature = fromBase64UrlOfLength(revision.signature, SIGNATURE_BYTES, 'signature');
  let valid: boolean;
  try {
    valid = sodium.crypto_sign_verify_detached(
      signature,
      encodeRevisionSignatureMessage(revision, decoded),
      authorSignPublicKey,
    );
  } catch {
    valid = false;
  }
  if (!valid) {
    throw new BadSignatureError('revision signature does not verify against the author key');
  }
  const values = openDecodedFields(decoded, revision.entity, revision.recordId, dataKey);
  const fields: Record<string, JsonValue> = {};
  decoded.forEach(({ field }, i) => {
    fields[field] = values[i];
  });
  return fields;
}
