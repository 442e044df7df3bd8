/**
 * Where the client's randomness comes from: salts, seeds, data keys, key ids, nonces and
 * the ephemeral keys of sealed boxes.
 *
 * This module owns the RandomSource seam. Production code always uses systemRandom: the
 * Web Crypto CSPRNG (crypto.getRandomValues, the OS generator behind OpenSSL in Node and
 * the browser's own), which costs ~3 µs per nonce where libsodium.js's randombytes_buf
 * costs ~60 µs. A fixed source exists for one purpose
 * only: regenerating and checking the published test vectors, where every random byte
 * must be known. Nothing else may pass a non-system source; a repeated nonce under one
 * key would break XChaCha20-Poly1305.
 */
import { bytesToUuid } from '../../crypto';

export type RandomSource = (length: number) => Uint8Array;

/** getRandomValues fills at most 65,536 bytes per call. */
const MAX_RANDOM_FILL = 65_536;

export const systemRandom: RandomSource = (length) => {
  const out = new Uint8Array(length);
  for (let offset = 0; offset < length; offset += MAX_RANDOM_FILL) {
    globalThis.crypto.getRandomValues(out.subarray(offset, Math.min(length, offset + MAX_RANDOM_FILL)));
  }
  return out;
};

/**
 * Yields the given byte strings in order and fails loudly if asked for anything else,
 * so a vector cannot silently consume bytes it was not meant to.
 */
export function fixedRandomSource(chunks: readonly Uint8Array[]): RandomSource {
  let next = 0;
  return (length) => {
    if (next >= chunks.length) {
      throw new Error(`fixed random source exhausted after ${chunks.length} draws`);
    }
    const chunk = chunks[next];
    if (chunk.length !== length) {
      throw new Error(`fixed random source draw ${next} has ${chunk.length} bytes, ${length} requested`);
    }
    next += 1;
    return Uint8Array.from(chunk);
  };
}

/** A version-4 UUID from 16 random bytes (RFC 9562 §5.4). */
export function randomUuid(random: RandomSource = systemRandom): string {
  const bytes = Uint8Array.from(random(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  return bytesToUuid(bytes);
}
