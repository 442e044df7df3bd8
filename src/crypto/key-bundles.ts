/**
 * Wire shapes of key material that the server stores but cannot open, and their
 * structural validation: KDF parameters, wrapped user seeds, sealed data keys, history
 * links and the enrolment bundle.
 *
 * This module owns what these objects look like in JSON (base64url strings and numbers)
 * and what the server may check about them without a key: versions, algorithms, exact
 * lengths, ranges. It must never unwrap, seal or derive anything; that is the client's
 * job in src/client/crypto.
 */
import {
  AEAD_TAG_BYTES,
  Algorithm,
  BOX_PUBLIC_KEY_BYTES,
  KDF_ALGORITHM_ARGON2ID13,
  KEY_BUNDLE_VERSION,
  KEY_BYTES,
  KEY_ID_BYTES,
  NONCE_BYTES,
  SALT_BYTES,
  SEALED_BOX_OVERHEAD_BYTES,
  SEED_BYTES,
  SIGN_PUBLIC_KEY_BYTES,
} from './protocol-constants';
import { MalformedInputError, UnknownAlgorithmError, UnknownVersionError } from './protocol-errors';
import { fromBase64UrlOfLength, isUuid } from './binary-encoding';
import type { SeedWrapPurpose } from './associated-data';

/** Argon2id parameters stored per user and returned by prelogin. */
export interface KdfParameters {
  readonly algorithm: typeof KDF_ALGORITHM_ARGON2ID13;
  /** 16 bytes, base64url. */
  readonly salt: string;
  readonly opslimit: number;
  /** Bytes. */
  readonly memlimit: number;
}

/** A user seed encrypted under the KEK or the recovery wrapping key. */
export interface EncryptedKeyBundle {
  readonly version: typeof KEY_BUNDLE_VERSION;
  readonly algorithm: typeof Algorithm.XChaCha20Poly1305Ietf;
  readonly purpose: SeedWrapPurpose;
  /** 24 bytes, base64url. */
  readonly nonce: string;
  /** XChaCha20-Poly1305 of the 32-byte seed: 48 bytes, base64url. */
  readonly ciphertext: string;
}

/** A user's public keys, registered at enrolment. */
export interface UserPublicKeys {
  /** X25519, 32 bytes, base64url. */
  readonly boxPublicKey: string;
  /** Ed25519, 32 bytes, base64url. */
  readonly signPublicKey: string;
}

/** A data key sealed (crypto_box_seal) to one scope's team public key of one generation. */
export interface SealedDataKey {
  readonly keyId: string;
  readonly scopeId: string;
  readonly generation: number;
  /** crypto_box_seal(keyId 16 bytes ‖ data key 32 bytes): 96 bytes, base64url. */
  readonly sealed: string;
}

/**
 * The previous generation's team seed encrypted under a key derived from the newer
 * generation's seed, so members who join later still read the scope's history.
 */
export interface HistoryLink {
  readonly version: typeof KEY_BUNDLE_VERSION;
  readonly algorithm: typeof Algorithm.XChaCha20Poly1305Ietf;
  readonly scopeId: string;
  /** The newer generation, whose seed derives the key that opens this link. */
  readonly generation: number;
  /** The older generation whose seed this link carries (generation − 1). */
  readonly previousGeneration: number;
  readonly nonce: string;
  /** 48 bytes, base64url. */
  readonly ciphertext: string;
}

/** Everything a client sends to enrol; no field of it opens anything on its own. */
export interface EnrolmentKeyMaterial {
  readonly publicKeys: UserPublicKeys;
  /** Shown to the user and to whoever grants them team keys; see fingerprint.ts. */
  readonly fingerprint: string;
  readonly kdf: KdfParameters;
  readonly passwordBundle: EncryptedKeyBundle;
  readonly recoveryBundle: EncryptedKeyBundle;
  /** 32 bytes, base64url; the server keeps only crypto_pwhash_str of it. */
  readonly authKey: string;
  /** 32 bytes, base64url; the server keeps only crypto_pwhash_str of it. */
  readonly recoveryAuthKey: string;
}

export const SEALED_DATA_KEY_BYTES = KEY_ID_BYTES + KEY_BYTES + SEALED_BOX_OVERHEAD_BYTES;
export const WRAPPED_SEED_BYTES = SEED_BYTES + AEAD_TAG_BYTES;

function assertGeneration(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 1 || value > 0xffff_ffff) {
    throw new MalformedInputError(`${what} must be a positive 32-bit integer`);
  }
}

function assertUuid(value: string, what: string): void {
  if (typeof value !== 'string' || !isUuid(value)) {
    throw new MalformedInputError(`${what} is not a UUID`);
  }
}

function assertBundleHeader(version: number, algorithm: number, what: string): void {
  if (version !== KEY_BUNDLE_VERSION) {
    throw new UnknownVersionError(`unknown ${what} version ${version}`);
  }
  if (algorithm !== Algorithm.XChaCha20Poly1305Ietf) {
    throw new UnknownAlgorithmError(`unknown ${what} algorithm ${algorithm}`);
  }
}

export function validateKdfParameters(params: KdfParameters): void {
  if (params.algorithm !== KDF_ALGORITHM_ARGON2ID13) {
    throw new UnknownAlgorithmError(`unknown KDF ${String(params.algorithm)}`);
  }
  fromBase64UrlOfLength(params.salt, SALT_BYTES, 'salt');
  if (!Number.isSafeInteger(params.opslimit) || !Number.isSafeInteger(params.memlimit)) {
    throw new MalformedInputError('KDF limits must be integers');
  }
}

export function validateEncryptedKeyBundle(bundle: EncryptedKeyBundle): void {
  assertBundleHeader(bundle.version, bundle.algorithm, 'seed bundle');
  if (bundle.purpose !== 'password' && bundle.purpose !== 'recovery') {
    throw new MalformedInputError('seed bundle purpose must be password or recovery');
  }
  fromBase64UrlOfLength(bundle.nonce, NONCE_BYTES, 'nonce');
  fromBase64UrlOfLength(bundle.ciphertext, WRAPPED_SEED_BYTES, 'wrapped seed');
}

export function validateUserPublicKeys(keys: UserPublicKeys): void {
  fromBase64UrlOfLength(keys.boxPublicKey, BOX_PUBLIC_KEY_BYTES, 'box public key');
  fromBase64UrlOfLength(keys.signPublicKey, SIGN_PUBLIC_KEY_BYTES, 'sign public key');
}

export function validateSealedDataKey(sealed: SealedDataKey): void {
  assertUuid(sealed.keyId, 'keyId');
  assertUuid(sealed.scopeId, 'scopeId');
  assertGeneration(sealed.generation, 'generation');
  fromBase64UrlOfLength(sealed.sealed, SEALED_DATA_KEY_BYTES, 'sealed data key');
}

export function validateHistoryLink(link: HistoryLink): void {
  assertBundleHeader(link.version, link.algorithm, 'history link');
  assertUuid(link.scopeId, 'scopeId');
  assertGeneration(link.generation, 'generation');
  assertGeneration(link.previousGeneration, 'previousGeneration');
  if (link.previousGeneration !== link.generation - 1) {
    throw new MalformedInputError('a history link goes back exactly one generation');
  }
  fromBase64UrlOfLength(link.nonce, NONCE_BYTES, 'nonce');
  fromBase64UrlOfLength(link.ciphertext, WRAPPED_SEED_BYTES, 'wrapped team seed');
}

export function validateEnrolmentKeyMaterial(material: EnrolmentKeyMaterial): void {
  validateUserPublicKeys(material.publicKeys);
  validateKdfParameters(material.kdf);
  validateEncryptedKeyBundle(material.passwordBundle);
  validateEncryptedKeyBundle(material.recoveryBundle);
  if (material.passwordBundle.purpose !== 'password' || material.recoveryBundle.purpose !== 'recovery') {
    throw new MalformedInputError('seed bundles are in the wrong slots');
  }
  fromBase64UrlOfLength(material.authKey, KEY_BYTES, 'authKey');
  fromBase64UrlOfLength(material.recoveryAuthKey, KEY_BYTES, 'recoveryAuthKey');
}
