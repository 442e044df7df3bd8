/**
 * Key fingerprints: short, readable digests of a user's or a team's public keys that
 * people compare out of band (read aloud, on a call, on paper) before granting keys.
 *
 * digest = BLAKE2b-256(tuple("egide-fingerprint", version u8, "user", boxPk, signPk))
 *       or BLAKE2b-256(tuple("egide-fingerprint", version u8, "team", scopeId 16 bytes,
 *                            generation u32, teamBoxPk))
 * shown as eight groups of five decimal digits, group i = u32be(digest[4i..4i+4]) mod 10⁵.
 * Digits read the same in every language and survive a bad phone line. 8 × log2(10⁵)
 * ≈ 133 bits is far beyond what a second-preimage search could reach.
 *
 * This module owns the digest and its rendering; it only ever sees public keys.
 */
import {
  BLAKE2B_256_BYTES,
  BOX_PUBLIC_KEY_BYTES,
  DomainLabel,
  FINGERPRINT_MESSAGE_VERSION,
  SIGN_PUBLIC_KEY_BYTES,
} from './protocol-constants';
import { MalformedInputError } from './protocol-errors';
import { encodeLengthPrefixedTuple, readU32be, u32be, u8, uuidToBytes } from './binary-encoding';
import { blake2b256 } from './protocol-hash';

const FINGERPRINT_GROUPS = 8;
const FINGERPRINT_PATTERN = /^\d{5}( \d{5}){7}$/;

function assertLength(bytes: Uint8Array, length: number, what: string): void {
  if (bytes.length !== length) {
    throw new MalformedInputError(`${what} must be ${length} bytes`);
  }
}

/** Renders a 32-byte digest as eight space-separated groups of five digits. */
export function formatFingerprint(digest: Uint8Array): string {
  assertLength(digest, BLAKE2B_256_BYTES, 'fingerprint digest');
  const groups: string[] = [];
  for (let i = 0; i < FINGERPRINT_GROUPS; i += 1) {
    groups.push((readU32be(digest, i * 4) % 100_000).toString().padStart(5, '0'));
  }
  return groups.join(' ');
}

export function userFingerprintDigest(boxPublicKey: Uint8Array, signPublicKey: Uint8Array): Uint8Array {
  assertLength(boxPublicKey, BOX_PUBLIC_KEY_BYTES, 'box public key');
  assertLength(signPublicKey, SIGN_PUBLIC_KEY_BYTES, 'sign public key');
  return blake2b256(
    encodeLengthPrefixedTuple([DomainLabel.Fingerprint, u8(FINGERPRINT_MESSAGE_VERSION), 'user', boxPublicKey, signPublicKey]),
  );
}

/** A user's fingerprint, e.g. "06001 72261 81968 …" (needs readyCrypto()). */
export function userKeyFingerprint(boxPublicKey: Uint8Array, signPublicKey: Uint8Array): string {
  return formatFingerprint(userFingerprintDigest(boxPublicKey, signPublicKey));
}

export function teamFingerprintDigest(scopeId: string, generation: number, teamBoxPublicKey: Uint8Array): Uint8Array {
  assertLength(teamBoxPublicKey, BOX_PUBLIC_KEY_BYTES, 'team public key');
  return blake2b256(
    encodeLengthPrefixedTuple([
      DomainLabel.Fingerprint,
      u8(FINGERPRINT_MESSAGE_VERSION),
      'team',
      uuidToBytes(scopeId, 'scopeId'),
      u32be(generation),
      teamBoxPublicKey,
    ]),
  );
}

/** A team generation's fingerprint (needs readyCrypto()). */
export function teamKeyFingerprint(scopeId: string, generation: number, teamBoxPublicKey: Uint8Array): string {
  return formatFingerprint(teamFingerprintDigest(scopeId, generation, teamBoxPublicKey));
}

/** Compares what a person typed or read back, ignoring spacing. */
export function fingerprintsMatch(expected: string, typed: string): boolean {
  const normalise = (text: string): string => text.replace(/\s+/g, '');
  const a = normalise(expected);
  return /^\d{40}$/.test(a) && a === normalise(typed);
}

export function isFingerprint(text: string): boolean {
  return FINGERPRINT_PATTERN.test(text);
}
