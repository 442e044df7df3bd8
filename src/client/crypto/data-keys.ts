/**
 * Data keys: 32 random bytes with a keyId (UUID v4), one per record compartment (case,
 * visa, brief, refuge), sealed to the team public key of every scope that may read it.
 *
 *   sealed = crypto_box_seal(keyId 16 bytes ‖ data key 32 bytes, T_g)
 *
 * The keyId is sealed with the key so that a server swapping two wraps is caught when
 * the wrap is opened, not later. This module owns generating, sealing and opening data
 * keys; it must never return a key that did not open, or one whose keyId differs from
 * the wrap's label.
 */
import sodium from 'libsodium-wrappers-sumo';
import {
  KEY_BYTES,
  KEY_ID_BYTES,
  MalformedInputError,
  SealedDataKey,
  TamperedError,
  WrongKeyError,
  bytesToUuid,
  concatBytes,
  fromBase64UrlOfLength,
  isUuid,
  SEALED_DATA_KEY_BYTES,
  toBase64Url,
  uuidToBytes,
  validateSealedDataKey,
} from '../../crypto';
import { RandomSource, randomUuid, systemRandom } from './random-source';
import { openSealedBox, sealToPublicKey } from './sealed-box';
import { TeamKeys, TeamPublicKey } from './team-keys';

export interface DataKey {
  /** Lower-case UUID; clear on the wire, bound into every envelope's associated data. */
  readonly keyId: string;
  readonly key: Uint8Array;
}

export function generateDataKey(random: RandomSource = systemRandom): DataKey {
  const keyId = randomUuid(random);
  return { keyId, key: random(KEY_BYTES) };
}

export function assertDataKey(dataKey: DataKey): void {
  if (!isUuid(dataKey.keyId)) throw new MalformedInputError('keyId is not a UUID');
  if (dataKey.key.length !== KEY_BYTES) throw new MalformedInputError(`a data key is ${KEY_BYTES} bytes`);
}

export function sealDataKeyToTeam(
  dataKey: DataKey,
  team: TeamPublicKey,
  random: RandomSource = systemRandom,
): SealedDataKey {
  assertDataKey(dataKey);
  const plaintext = concatBytes([uuidToBytes(dataKey.keyId, 'keyId'), dataKey.key]);
  try {
    return {
      keyId: dataKey.keyId.toLowerCase(),
      scopeId: team.scopeId,
      generation: team.generation,
      sealed: toBase64Url(sealToPublicKey(plaintext, team.boxPublicKey, random)),
    };
  } finally {
    sodium.memzero(plaintext);
  }
}

export function openSealedDataKey(sealedKey: SealedDataKey, team: TeamKeys): DataKey {
  validateSealedDataKey(sealedKey);
  if (sealedKey.scopeId.toLowerCase() !== team.scopeId || sealedKey.generation !== team.generation) {
    throw new WrongKeyError(
      `data key is sealed to scope ${sealedKey.scopeId} generation ${sealedKey.generation}, not to the team key supplied`,
    );
  }
  const opened = openSealedBox(
    fromBase64UrlOfLength(sealedKey.sealed, SEALED_DATA_KEY_BYTES, 'sealed data key'),
    team.boxPublicKey,
    team.boxSecretKey,
    KEY_ID_BYTES + KEY_BYTES,
  );
  const keyId = bytesToUuid(opened.subarray(0, KEY_ID_BYTES));
  if (keyId !== sealedKey.keyId.toLowerCase()) {
    sodium.memzero(opened);
    throw new TamperedError('the wrap is labelled with another keyId than the key it carries');
  }
  const key = opened.slice(KEY_ID_BYTES);
  sodium.memzero(opened);
  return { keyId, key };
}
