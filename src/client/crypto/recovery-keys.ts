/**
 * The recovery key: 32 random bytes shown once at enrolment and kept offline, the only
 * way back in when the password is lost.
 *
 *   recovery wrapping key = crypto_kdf_derive_from_key(32, RecoverySubkey.WrappingKey, "egrecovr", rk)
 *   recovery authKey      = crypto_kdf_derive_from_key(32, RecoverySubkey.AuthKey,     "egrecovr", rk)
 *
 * The key has full entropy, so no Argon2id is needed. Shown to people as Crockford
 * base32 (no I, L, O, U; case-insensitive) in groups of four. This module owns that
 * derivation and rendering; it must never persist or transmit the recovery key itself.
 */
import sodium from 'libsodium-wrappers-sumo';
import { KdfContext, KEY_BYTES, MalformedInputError, RecoverySubkey } from '../../crypto';
import { RandomSource, systemRandom } from './random-source';

export interface RecoverySecrets {
  readonly wrappingKey: Uint8Array;
  readonly authKey: Uint8Array;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const RECOVERY_KEY_CHARACTERS = Math.ceil((KEY_BYTES * 8) / 5);

export function generateRecoveryKey(random: RandomSource = systemRandom): Uint8Array {
  return random(KEY_BYTES);
}

export function deriveRecoverySecrets(recoveryKey: Uint8Array): RecoverySecrets {
  if (recoveryKey.length !== KEY_BYTES) {
    throw new MalformedInputError(`a recovery key is ${KEY_BYTES} bytes`);
  }
  return {
    wrappingKey: sodium.crypto_kdf_derive_from_key(
      KEY_BYTES,
      RecoverySubkey.WrappingKey,
      KdfContext.RecoveryKey,
      recoveryKey,
    ),
    authKey: sodium.crypto_kdf_derive_from_key(KEY_BYTES, RecoverySubkey.AuthKey, KdfContext.RecoveryKey, recoveryKey),
  };
}

/** 52 Crockford base32 characters in groups of four, e.g. "7Q2M-0K3V-…". */
export function formatRecoveryKey(recoveryKey: Uint8Array): string {
  if (recoveryKey.length !== KEY_BYTES) {
    throw new MalformedInputError(`a recovery key is ${KEY_BYTES} bytes`);
  }
  let bits = 0;
  let buffer = 0;
  let out = '';
  for (const byte of recoveryKey) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += CROCKFORD[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += CROCKFORD[(buffer << (5 - bits)) & 31];
  return out.match(/.{1,4}/g)?.join('-') ?? out;
}

/** Accepts what a person types back: any case, spaces or dashes, I/L for 1 and O for 0. */
export function parseRecoveryKey(text: string): Uint8Array {
  const cleaned = text
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/[IL]/g, '1')
    .replace(/O/g, '0');
  if (cleaned.length !== RECOVERY_KEY_CHARACTERS || /[^0-9A-HJKMNP-TV-Z]/.test(cleaned)) {
    throw new MalformedInputError(`a recovery key is ${RECOVERY_KEY_CHARACTERS} base32 characters`);
  }
  const out = new Uint8Array(KEY_BYTES);
  let bits = 0;
  let buffer = 0;
  let index = 0;
  for (const character of cleaned) {
    buffer = (buffer << 5) | CROCKFORD.indexOf(character);
    bits += 5;
    if (bits >= 8) {
      if (index < KEY_BYTES) out[index] = (buffer >>> (bits - 8)) & 0xff;
      index += 1;
      bits -= 8;
    }
    buffer &= (1 << bits) - 1;
  }
  if (buffer !== 0) {
    throw new MalformedInputError('recovery key has stray trailing bits');
  }
  return out;
}
