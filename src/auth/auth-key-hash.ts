/**
 * Server-side hashing of the client's authKey and recovery authKey with Argon2id
 * (libsodium crypto_pwhash_str, interactive limits). The authKey is already a 32-byte
 * Argon2id output, so this second hash exists for one reason: a stolen users table must
 * not let anyone log in. Nothing here touches a key that opens sealed content.
 *
 * libsodium's WASM runs on the event loop (~0.1 s per hash here); login and enrolment
 * are rate-limited for that reason among others.
 */
import sodium from 'libsodium-wrappers-sumo';

export async function hashAuthKey(authKey: Uint8Array): Promise<string> {
  await sodium.ready;
  return sodium.crypto_pwhash_str(authKey, sodium.crypto_pwhash_OPSLIMIT_INTERACTIVE, sodium.crypto_pwhash_MEMLIMIT_INTERACTIVE);
}

export async function authKeyMatches(hash: string, authKey: Uint8Array): Promise<boolean> {
  await sodium.ready;
  return sodium.crypto_pwhash_str_verify(hash, authKey);
}

let decoyHash: Promise<string> | undefined;

/**
 * A hash to verify against when the account does not exist, so that an unknown e-mail
 * costs the same time as a wrong authKey.
 */
export function decoyAuthKeyHash(): Promise<string> {
  decoyHash ??= hashAuthKey(new Uint8Array(32));
  return decoyHash;
}
