/**
 * Sealing one field of a record into an envelope, and opening it again.
 *
 *   padded     = sodium.pad(UTF-8(JSON.stringify(value)), 64)
 *   AD         = encodeFieldAssociatedData(entity, recordId, field, keyId)
 *   ciphertext = XChaCha20-Poly1305-IETF(padded, AD, fresh random 24-byte nonce, data key)
 *   envelope   = base64url(version ‖ alg ‖ keyId ‖ nonce ‖ ciphertext)
 *
 * This module owns the field plaintext format (padded UTF-8 JSON) and the rule that the
 * reader supplies the location it read the row from: openField rebuilds the associated
 * data from its arguments and never from the envelope, so an envelope copied to another
 * record, field or key does not open. It must never return a value that did not
 * authenticate, nor a partial one.
 */
import sodium from 'libsodium-wrappers-sumo';
import {
  Algorithm,
  ENVELOPE_VERSION,
  KEY_ID_BYTES,
  FieldLocation,
  MAX_FIELD_PADDED_PLAINTEXT_BYTES,
  MalformedInputError,
  NONCE_BYTES,
  OverCapError,
  PADDING_BLOCK_BYTES,
  TamperedError,
  WrongKeyError,
  assertCryptoReady,
  encodeFieldAssociatedData,
  fieldAssociatedDataEncoder,
  bytesEqual,
  bytesToUuid,
  decodeEnvelope,
  serialiseEnvelope,
  uuidToBytes,
} from '../../crypto';
import { DataKey, assertDataKey } from './data-keys';
import { RandomSource, systemRandom } from './random-source';

/** What a sealed field may hold: any JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Intermediate values of one seal, published in the test vectors. */
export interface FieldSealTrace {
  readonly envelope: string;
  readonly paddedPlaintext: Uint8Array;
  readonly associatedData: Uint8Array;
  readonly nonce: Uint8Array;
}

const textDecoder = new TextDecoder('utf-8', { fatal: true });
const NONCE_START = 2 + KEY_ID_BYTES;
const CIPHERTEXT_START = NONCE_START + NONCE_BYTES;

export function sealFieldTraced(
  value: JsonValue,
  location: FieldLocation,
  dataKey: DataKey,
  random: RandomSource = systemRandom,
): FieldSealTrace {
  assertCryptoReady();
  assertDataKey(dataKey);
  const json = JSON.stringify(value) as string | undefined;
  if (json === undefined) {
    throw new MalformedInputError('a sealed field holds a JSON value');
  }
  const plaintext = sodium.from_string(json);
  if (plaintext.length >= MAX_FIELD_PADDED_PLAINTEXT_BYTES) {
    throw new OverCapError(`a sealed field holds at most ${MAX_FIELD_PADDED_PLAINTEXT_BYTES - 1} bytes of JSON`);
  }
  const paddedPlaintext = sodium.pad(plaintext, PADDING_BLOCK_BYTES);
  const associatedData = encodeFieldAssociatedData(location, dataKey.keyId);
  const nonce = random(NONCE_BYTES);
  const ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
    paddedPlaintext,
    associatedData,
    null,
    nonce,
    dataKey.key,
  );
  const envelope = serialiseEnvelope({
    version: ENVELOPE_VERSION,
    algorithm: Algorithm.XChaCha20Poly1305Ietf,
    keyId: dataKey.keyId.toLowerCase(),
    nonce,
    ciphertext,
  });
  return { envelope, paddedPlaintext, associatedData, nonce };
}

/** Seals a JSON value for one field of one record under a data key. */
export function sealField(
  value: JsonValue,
  location: FieldLocation,
  dataKey: DataKey,
  random: RandomSource = systemRandom,
): string {
  return sealFieldTraced(value, location, dataKey, random).envelope;
}

/**
 * Opens an envelope found at `location`. The caller passes the data key it holds for
 * the row; an envelope sealed under another key is a WrongKeyError, and one that does
 * not authenticate under this key and location is a TamperedError.
 */
export function openField(envelope: string, location: FieldLocation, dataKey: DataKey): JsonValue {
  const [value] = openDecodedFields(
    [{ field: location.field, bytes: decodeEnvelope(envelope) }],
    location.entity,
    location.recordId,
    dataKey,
  );
  return value;
}

/**
 * Opens envelopes already decoded and checked by decodeEnvelope, all found in one record
 * and all under one data key, returning their values in order. Nothing is returned
 * unless every one of them opens.
 */
export function openDecodedFields(
  entries: readonly { readonly field: string; readonly bytes: Uint8Array }[],
  entity: string,
  recordId: string,
  dataKey: DataKey,
): JsonValue[] {
  assertCryptoReady();
  assertDataKey(dataKey);
  const keyId = uuidToBytes(dataKey.keyId, 'keyId');
  const values: JsonValue[] = [];
  let encodeAssociatedData: ((field: string) => Uint8Array) | undefined;
  for (const { field, bytes } of entries) {
    if (!bytesEqual(bytes.subarray(2, NONCE_START), keyId)) {
      throw new WrongKeyError(
        `envelope is sealed under key ${bytesToUuid(bytes.subarray(2, NONCE_START))}, not ${dataKey.keyId}`,
      );
    }
    if (bytes[0] !== ENVELOPE_VERSION || bytes[1] !== Algorithm.XChaCha20Poly1305Ietf) {
      throw new MalformedInputError('envelope was not checked by decodeEnvelope');
    }
    encodeAssociatedData ??= fieldAssociatedDataEncoder(entity, recordId, dataKey.keyId);
    values.push(openAuthenticated(bytes, encodeAssociatedData(field), dataKey.key));
  }
  return values;
}

function openAuthenticated(bytes: Uint8Array, associatedData: Uint8Array, key: Uint8Array): JsonValue {
  let padded: Uint8Array;
  try {
    padded = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      bytes.subarray(CIPHERTEXT_START),
      associatedData,
      bytes.subarray(NONCE_START, CIPHERTEXT_START),
      key,
    );
  } catch {
    throw new TamperedError(
      'envelope does not authenticate here: altered, or moved from another record or field',
    );
  }
  try {
    // Authenticated bytes that do not unpad or parse were written by a faulty or hostile
    // key holder; they are refused whole, never returned in part.
    const plaintext = sodium.unpad(padded, PADDING_BLOCK_BYTES);
    return JSON.parse(textDecoder.decode(plaintext)) as JsonValue;
  } catch {
    throw new MalformedInputError('envelope plaintext is not padded UTF-8 JSON');
  } finally {
    // fill(0) is what sodium.memzero does for JS memory, minus a per-byte JS loop.
    padded.fill(0);
  }
}
