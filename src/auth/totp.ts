/**
 * TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps), written against node:crypto
 * so the server needs no extra dependency. A code is accepted within one step of the
 * server's clock, and only for a step later than the last one accepted (a code works
 * once); a code refused for that reason alone is told apart (`used`).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const TOTP_STEP_SECONDS = 30;
export const TOTP_DIGITS = 6;
export const TOTP_SECRET_BYTES = 20;
const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function generateTotpSecret(): Buffer {
  return randomBytes(TOTP_SECRET_BYTES);
}

export function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** The inverse of base32, for clients that hold a secret shown as text (tests, demo, bench). */
export function base32Decode(text: string): Buffer {
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of text.replace(/=+$/, '').toUpperCase()) {
    const index = BASE32_ALPHABET.indexOf(char);
    if (index === -1) throw new Error('not base32');
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export function totpStep(atSeconds: number): number {
  return Math.floor(atSeconds / TOTP_STEP_SECONDS);
}

export function totpCode(secret: Uint8Array, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', secret).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** TOTP_DIGITS).padStart(TOTP_DIGITS, '0');
}

/**
 * What a code is worth now: `valid` for a step within one of the server's clock and later
 * than `lastUsedStep` (it may be spent), `used` when it is the code of such a step that was
 * already spent (the person should wait for the next one), `wrong` otherwise. Every step of
 * the window is compared, so the time taken does not depend on which one matched.
 */
export type TotpVerdict = { verdict: 'valid'; step: number } | { verdict: 'used' } | { verdict: 'wrong' };

export function assessTotpCode(secret: Uint8Array, code: string, atSeconds: number, lastUsedStep: number): TotpVerdict {
  if (!/^\d{6}$/.test(code)) return { verdict: 'wrong' };
  const now = totpStep(atSeconds);
  let valid: number | undefined;
  let used = false;
  for (const step of [now - 1, now, now + 1]) {
    if (!timingSafeEqual(Buffer.from(totpCode(secret, step)), Buffer.from(code))) continue;
    if (step > lastUsedStep) valid ??= step;
    else used = true;
  }
  if (valid !== undefined) return { verdict: 'valid', step: valid };
  return used ? { verdict: 'used' } : { verdict: 'wrong' };
}

export function otpauthUri(secret: Uint8Array, account: string): string {
  const label = encodeURIComponent(`Egide:${account}`);
  return `otpauth://totp/${label}?secret=${base32(secret)}&issuer=Egide&algorithm=SHA1&digits=${TOTP_DIGITS}&period=${TOTP_STEP_SECONDS}`;
}
