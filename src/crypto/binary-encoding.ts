/**
 * Byte-level encodings of the protocol: strict base64url, hex, UUID ↔ 16 bytes, big-endian
 * integers and the length-prefixed tuple that every signed or authenticated structure is
 * built from.
 *
 * It owns canonical encoding: one value has exactly one byte string, and decoding
 * rejects every non-canonical input (padding, stray characters, non-zero trailing bits,
 * upper-case UUIDs are accepted but always re-encoded lower case). It must never hold a
 * key or call into libsodium, so it is safe anywhere, including the server. It is part of
 * the browser SDK: plain Uint8Array and TextEncoder only, never Buffer or node:* (the
 * codecs below are written out so that Node and a browser decode the same strings).
 */
import { IDENTIFIER_PATTERN } from './protocol-constants';
import { MalformedInputError } from './protocol-errors';

const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const HEX_PATTERN = /^(?:[0-9a-f]{2})*$/;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const textEncoder = new TextEncoder();

const textDecoder = new TextDecoder();
const BASE64URL_CODES = textEncoder.encode(BASE64URL_ALPHABET);
/** Character code (7 bits) → 6-bit value, or -1 for anything outside the base64url alphabet. */
const BASE64URL_VALUES: Int8Array = (() => {
  const values = new Int8Array(128).fill(-1);
  for (let index = 0; index < BASE64URL_CODES.length; index += 1) values[BASE64URL_CODES[index]] = index;
  return values;
})();
const HEX_BYTES: readonly string[] = Array.from({ length: 256 }, (_, value) => value.toString(16).padStart(2, '0'));

/**
 * The same canonical rule as `fromBase64Url`, as a regular expression, for request
 * validation and the OpenAPI document: whole groups of four, then an optional tail of
 * three characters whose last carries two zero bits, or of two whose last carries four.
 * A pattern that accepts more than the decoder (`[A-Za-z0-9_-]+`) let a key field pass
 * validation and then fail decoding inside a service, as a 500.
 */
export const CANONICAL_BASE64URL = /^(?=.)(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}[AEIMQUYcgkosw048]|[A-Za-z0-9_-][AQgw])?$/;

/** Canonical base64url of exactly `byteLength` bytes, as a regular expression. */
export function canonicalBase64UrlOf(byteLength: number): RegExp {
  const full = Math.floor(byteLength / 3) * 4;
  const tail = byteLength % 3 === 0 ? '' : byteLength % 3 === 2 ? '[A-Za-z0-9_-]{2}[AEIMQUYcgkosw048]' : '[A-Za-z0-9_-][AQgw]';
  return new RegExp(`^[A-Za-z0-9_-]{${full}}${tail}$`);
}

/** Base64url (RFC 4648 §5) without padding. */
export function toBase64Url(bytes: Uint8Array): string {
  // ASCII codes into one array, then one native decode: string concatenation was 30x
  // slower than Buffer on 64 KiB.
  const length = bytes.length;
  const whole = length - (length % 3);
  const out = new Uint8Array(Math.ceil((length * 4) / 3));
  let at = 0;
  for (let i = 0; i < whole; i += 3) {
    const group = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out[at] = BASE64URL_CODES[group >>> 18];
    out[at + 1] = BASE64URL_CODES[(group >>> 12) & 0x3f];
    out[at + 2] = BASE64URL_CODES[(group >>> 6) & 0x3f];
    out[at + 3] = BASE64URL_CODES[group & 0x3f];
    at += 4;
  }
  if (length - whole === 1) {
    out[at] = BASE64URL_CODES[bytes[whole] >>> 2];
    out[at + 1] = BASE64URL_CODES[(bytes[whole] & 0x03) << 4];
  } else if (length - whole === 2) {
    const group = (bytes[whole] << 8) | bytes[whole + 1];
    out[at] = BASE64URL_CODES[group >>> 10];
    out[at + 1] = BASE64URL_CODES[(group >>> 4) & 0x3f];
    out[at + 2] = BASE64URL_CODES[(group & 0x0f) << 2];
  }
  return textDecoder.decode(out);
}

/**
 * Decodes base64url without padding, strictly: every character must be in the alphabet
 * (no padding, no '+' or '/', no whitespace, nothing beyond ASCII), the length must not
 * be 1 more than a multiple of 4, and the bits that the last character carries beyond
 * the final byte must be zero, so that two strings never name one envelope.
 * CANONICAL_BASE64URL is the same rule as a regular expression.
 */
export function fromBase64Url(text: string, what = 'value'): Uint8Array {
  const length = text.length;
  const remainder = length % 4;
  if (remainder === 1) {
    throw new MalformedInputError(`${what} is not base64url without padding`);
  }
  const out = new Uint8Array(Math.floor((length * 3) / 4));
  // Any code of 128 or more, or any value of -1, leaves its mark in these two; checked
  // once at the end rather than per character.
  let codes = 0;
  let values = 0;
  let at = 0;
  let i = 0;
  for (const whole = length - remainder; i < whole; i += 4) {
    const c0 = text.charCodeAt(i);
    const c1 = text.charCodeAt(i + 1);
    const c2 = text.charCodeAt(i + 2);
    const c3 = text.charCodeAt(i + 3);
    const v0 = BASE64URL_VALUES[c0 & 0x7f];
    const v1 = BASE64URL_VALUES[c1 & 0x7f];
    const v2 = BASE64URL_VALUES[c2 & 0x7f];
    const v3 = BASE64URL_VALUES[c3 & 0x7f];
    codes |= c0 | c1 | c2 | c3;
    values |= v0 | v1 | v2 | v3;
    const group = (v0 << 18) | (v1 << 12) | (v2 << 6) | v3;
    out[at] = group >>> 16;
    out[at + 1] = (group >>> 8) & 0xff;
    out[at + 2] = group & 0xff;
    at += 3;
  }
  let unusedBits = 0;
  if (remainder !== 0) {
    let group = 0;
    for (; i < length; i += 1) {
      const code = text.charCodeAt(i);
      const value = BASE64URL_VALUES[code & 0x7f];
      codes |= code;
      values |= value;
      group = (group << 6) | (value & 0x3f);
    }
    // Two characters carry 12 bits for one byte, three carry 18 for two.
    unusedBits = group & (remainder === 2 ? 0x0f : 0x03);
    if (remainder === 2) {
      out[at] = group >>> 4;
    } else {
      out[at] = group >>> 10;
      out[at + 1] = (group >>> 2) & 0xff;
    }
  }
  if (codes >= 0x80 || values < 0) {
    throw new MalformedInputError(`${what} is not base64url without padding`);
  }
  if (unusedBits !== 0) {
    throw new MalformedInputError(`${what} is not canonical base64url`);
  }
  return out;
}

/** Decodes base64url and insists on an exact byte length (keys, nonces, signatures). */
export function fromBase64UrlOfLength(text: string, length: number, what = 'value'): Uint8Array {
  const bytes = fromBase64Url(text, what);
  if (bytes.length !== length) {
    throw new MalformedInputError(`${what} must be ${length} bytes, got ${bytes.length}`);
  }
  return bytes;
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 1) out += HEX_BYTES[bytes[i]];
  return out;
}

export function fromHex(text: string, what = 'value'): Uint8Array {
  if (!HEX_PATTERN.test(text)) {
    throw new MalformedInputError(`${what} is not lower-case hex`);
  }
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i += 1) out[i] = (hexNibble(text.charCodeAt(2 * i)) << 4) | hexNibble(text.charCodeAt(2 * i + 1));
  return out;
}

export function utf8(text: string): Uint8Array {
  return textEncoder.encode(text);
}

export function isUuid(text: string): boolean {
  return UUID_PATTERN.test(text);
}

/** A UUID's 16 bytes; ids enter signed and authenticated data in this form only. */
export function uuidToBytes(uuid: string, what = 'id'): Uint8Array {
  // Hand-rolled because it runs twice per sealed field: regex + replace + hex was 1 µs.
  if (typeof uuid !== 'string' || uuid.length !== 36) {
    throw new MalformedInputError(`${what} is not a UUID`);
  }
  const out = new Uint8Array(16);
  let byte = 0;
  for (let i = 0; i < 36; i += 1) {
    const code = uuid.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (code !== 0x2d) throw new MalformedInputError(`${what} is not a UUID`);
      continue;
    }
    const nibble = hexNibble(code);
    if (nibble < 0) throw new MalformedInputError(`${what} is not a UUID`);
    if (byte % 2 === 0) out[byte >> 1] = nibble << 4;
    else out[byte >> 1] |= nibble;
    byte += 1;
  }
  return out;
}

function hexNibble(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10;
  return -1;
}

export function bytesToUuid(bytes: Uint8Array): string {
  if (bytes.length !== 16) {
    throw new MalformedInputError('a UUID is 16 bytes');
  }
  const hex = toHex(bytes);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Entity and field names are short ASCII identifiers so that their bytes are unambiguous. */
export function assertIdentifier(name: string, what: string): void {
  if (!IDENTIFIER_PATTERN.test(name)) {
    throw new MalformedInputError(`${what} must match ${IDENTIFIER_PATTERN.source}`);
  }
}

export function u8(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) {
    throw new MalformedInputError('value does not fit in one byte');
  }
  return Uint8Array.of(value);
}

export function u32be(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new MalformedInputError('value does not fit in 32 bits');
  }
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, false);
  return out;
}

export function readU32be(bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(offset, false);
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** A tuple element: a string is encoded as UTF-8, bytes are taken as they are. */
export type TupleElement = string | Uint8Array;

/**
 * The protocol's one canonical encoding of a tuple: each element as its length (u32
 * big-endian) followed by its bytes. Length prefixes make ("ab","c") and ("a","bc")
 * different byte strings, which plain concatenation would not.
 */
export function encodeLengthPrefixedTuple(elements: readonly TupleElement[]): Uint8Array {
  // One allocation and direct writes: this runs once per sealed field and per revision.
  const encoded = elements.map((element) => (typeof element === 'string' ? textEncoder.encode(element) : element));
  let length = 0;
  for (const bytes of encoded) length += 4 + bytes.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const bytes of encoded) {
    const size = bytes.length;
    out[offset] = size >>> 24;
    out[offset + 1] = (size >>> 16) & 0xff;
    out[offset + 2] = (size >>> 8) & 0xff;
    out[offset + 3] = size & 0xff;
    out.set(bytes, offset + 4);
    offset += 4 + size;
  }
  return out;
}

/** Constant-time comparison for tags and public keys decided on by the protocol. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i += 1) difference |= a[i] ^ b[i];
  return difference === 0;
}
