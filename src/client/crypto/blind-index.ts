/**
 * Blind indexes: keyed digests of normalised values that let a team find "maybe the
 * same person" among its records without the server learning the value.
 *
 *   field key = BLAKE2b-256(key = team blind-index key_g,
 *                           tuple("egide-blind-index", version u8, fieldId))
 *   index     = base64url(BLAKE2b-128(key = field key, UTF-8(normalise(value, kind))))
 *
 * Keyed per scope and generation, so two embassies' indexes never link, and per field,
 * so a name never matches a passport number. This module owns keying and hashing; it
 * must never send a field key or a normalised value anywhere.
 */
import sodium from 'libsodium-wrappers-sumo';
import {
  BLIND_INDEX_BYTES,
  BlindIndexValueKind,
  DomainLabel,
  KEY_BYTES,
  MalformedInputError,
  BLIND_INDEX_MESSAGE_VERSION,
  assertCryptoReady,
  assertIdentifier,
  encodeLengthPrefixedTuple,
  normaliseBlindIndexValue,
  toBase64Url,
  u8,
} from '../../crypto';

export function deriveBlindIndexFieldKey(teamBlindIndexKey: Uint8Array, fieldId: string): Uint8Array {
  assertCryptoReady();
  assertIdentifier(fieldId, 'fieldId');
  if (teamBlindIndexKey.length !== KEY_BYTES) {
    throw new MalformedInputError(`a blind-index key is ${KEY_BYTES} bytes`);
  }
  return sodium.crypto_generichash(
    KEY_BYTES,
    encodeLengthPrefixedTuple([DomainLabel.BlindIndexFieldKey, u8(BLIND_INDEX_MESSAGE_VERSION), fieldId]),
    teamBlindIndexKey,
  );
}

/** The index of an already normalised value under a field key (base64url, 16 bytes). */
export function blindIndexOfNormalised(normalised: string, fieldKey: Uint8Array): string {
  assertCryptoReady();
  if (normalised.length === 0) {
    // Every empty value would share one index and match each other: refuse instead.
    throw new MalformedInputError('nothing left to index after normalisation');
  }
  return toBase64Url(sodium.crypto_generichash(BLIND_INDEX_BYTES, sodium.from_string(normalised), fieldKey));
}

/** Normalises `value` as `kind` and indexes it for `fieldId` under the team's key. */
export function blindIndex(
  value: string,
  kind: BlindIndexValueKind,
  fieldId: string,
  teamBlindIndexKey: Uint8Array,
): string {
  const fieldKey = deriveBlindIndexFieldKey(teamBlindIndexKey, fieldId);
  try {
    return blindIndexOfNormalised(normaliseBlindIndexValue(value, kind), fieldKey);
  } finally {
    sodium.memzero(fieldKey);
  }
}
