/**
 * The password side of a user's keys: Argon2id parameters, the password key k, and its
 * split into the KEK (wraps the user seed, never leaves the client) and the authKey
 * (proves the password to the server, which stores only a hash of it).
 *
 *   k       = crypto_pwhash(32, NFKC(password), salt, opslimit, memlimit, ARGON2ID13)
 *   KEK     = crypto_kdf_derive_from_key(32, PasswordSubkey.Kek,     "egpasswd", k)
 *   authKey = crypto_kdf_derive_from_key(32, PasswordSubkey.AuthKey, "egpasswd", k)
 *
 * This module owns the floor: parameters below opslimit 3 / memlimit 64 MiB are refused
 * before any work, whoever supplied them (prelogin answers come from the server, which
 * may be hostile). It must never send k or the KEK anywhere, and never log a password.
 */
import sodium from 'libsodium-wrappers-sumo';
import {
  KdfAboveCeilingError,
  KdfBelowFloorError,
  KdfContext,
  KdfParameters,
  KDF_ALGORITHM_ARGON2ID13,
  KDF_DEFAULT_MEMLIMIT,
  KDF_DEFAULT_OPSLIMIT,
  KDF_MEMLIMIT_CEILING,
  KDF_MEMLIMIT_FLOOR,
  KDF_OPSLIMIT_CEILING,
  KDF_OPSLIMIT_FLOOR,
  KEY_BYTES,
  PasswordSubkey,
  SALT_BYTES,
  assertCryptoReady,
  fromBase64UrlOfLength,
  toBase64Url,
  validateKdfParameters,
} from '../../crypto';
import { RandomSource, systemRandom } from './random-source';

/** What the password unlocks on this device. Both are 32 bytes. */
export interface PasswordSecrets {
  readonly kek: Uint8Array;
  readonly authKey: Uint8Array;
}

/** Fresh parameters for an enrolment or a password change: a new salt every time. */
export function generateKdfParameters(
  random: RandomSource = systemRandom,
  opslimit: number = KDF_DEFAULT_OPSLIMIT,
  memlimit: number = KDF_DEFAULT_MEMLIMIT,
): KdfParameters {
  const params: KdfParameters = {
    algorithm: KDF_ALGORITHM_ARGON2ID13,
    salt: toBase64Url(random(SALT_BYTES)),
    opslimit,
    memlimit,
  };
  assertKdfParametersAcceptable(params);
  return params;
}

/** The client's refusal of weak (or absurdly expensive) parameters. */
export function assertKdfParametersAcceptable(params: KdfParameters): void {
  validateKdfParameters(params);
  if (params.opslimit < KDF_OPSLIMIT_FLOOR || params.memlimit < KDF_MEMLIMIT_FLOOR) {
    throw new KdfBelowFloorError(
      `Argon2id parameters below the floor (opslimit ≥ ${KDF_OPSLIMIT_FLOOR}, memlimit ≥ ${KDF_MEMLIMIT_FLOOR})`,
    );
  }
  if (params.opslimit > KDF_OPSLIMIT_CEILING || params.memlimit > KDF_MEMLIMIT_CEILING) {
    throw new KdfAboveCeilingError(
      `Argon2id parameters above the ceiling (opslimit ≤ ${KDF_OPSLIMIT_CEILING}, memlimit ≤ ${KDF_MEMLIMIT_CEILING})`,
    );
  }
}

/**
 * Argon2id password key k. The password is NFKC-normalised first so that the same
 * password typed on two keyboards (composed or decomposed accents) gives the same key.
 */
export function derivePasswordKey(password: string, params: KdfParameters): Uint8Array {
  assertKdfParametersAcceptable(params);
  assertCryptoReady();
  const salt = fromBase64UrlOfLength(params.salt, SALT_BYTES, 'salt');
  return sodium.crypto_pwhash(
    KEY_BYTES,
    sodium.from_string(password.normalize('NFKC')),
    salt,
    params.opslimit,
    params.memlimit,
    sodium.crypto_pwhash_ALG_ARGON2ID13,
  );
}

export function splitPasswordKey(passwordKey: Uint8Array): PasswordSecrets {
  return {
    kek: sodium.crypto_kdf_derive_from_key(KEY_BYTES, PasswordSubkey.Kek, KdfContext.PasswordKey, passwordKey),
    authKey: sodium.crypto_kdf_derive_from_key(KEY_BYTES, PasswordSubkey.AuthKey, KdfContext.PasswordKey, passwordKey),
  };
}

/** k, split, then wiped: what login and unlock need. */
export function derivePasswordSecrets(password: string, params: KdfParameters): PasswordSecrets {
  const passwordKey = derivePasswordKey(password, params);
  try {
    return splitPasswordKey(passwordKey);
  } finally {
    sodium.memzero(passwordKey);
  }
}
