/**
 * Unkeyed BLAKE2b-256 for the shared protocol code, and the readiness gate for it.
 *
 * node:crypto offers only BLAKE2b-512, and BLAKE2b-256 is not a truncation of it (the
 * output length is part of the parameter block), so the hash comes from libsodium's
 * crypto_generichash. This module owns that single dependency of src/crypto on
 * libsodium and must only ever use key-free functions from it: the server imports it.
 * Call `await readyCrypto()` once at start-up (the server's bootstrap, each test file)
 * before any hash is computed.
 */
import sodium from 'libsodium-wrappers-sumo';
import { BLAKE2B_256_BYTES } from './protocol-constants';

let ready = false;

/** Loads libsodium's WASM once (~40 ms); every later call resolves at once. */
export async function readyCrypto(): Promise<void> {
  await sodium.ready;
  ready = true;
}

export function assertCryptoReady(): void {
  if (!ready) {
    throw new Error('libsodium is not loaded: await readyCrypto() before using the protocol');
  }
}

export function blake2b256(message: Uint8Array): Uint8Array {
  assertCryptoReady();
  return sodium.crypto_generichash(BLAKE2B_256_BYTES, message, null);
}
