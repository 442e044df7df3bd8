/**
 * The @ApiProperty options of the values the server answers with, for response classes
 * (which carry no validators to derive limits from): each says the exact shape the
 * server writes — a UUID, an ISO date-time from `toISOString()`, base64url of a known
 * byte length, a fingerprint — so a response declares its bounds once, in words of the
 * domain. Request classes need none of this: their limits come from their validators.
 */
import type { ApiPropertyOptions } from '@nestjs/swagger';
import { CURSOR_MAX_LENGTH } from '../http/keyset-cursor';
import { EMAIL_MAX_LENGTH } from '../http/email-address';

type Options = ApiPropertyOptions & Record<string, unknown>;

export const UUID_FIELD = { type: String, format: 'uuid', minLength: 36, maxLength: 36 } as const satisfies Options;

/** `Date.prototype.toISOString()`: always 24 characters for the years the server writes. */
export const DATE_TIME_FIELD = { type: String, format: 'date-time', minLength: 24, maxLength: 24 } as const satisfies Options;

export const EMAIL_FIELD = { type: String, format: 'email', maxLength: EMAIL_MAX_LENGTH } as const satisfies Options;

/** Eight groups of five digits (docs/protocol.md, fingerprints). */
export const FINGERPRINT_FIELD = { type: String, pattern: '^\\d{5}( \\d{5}){7}$', minLength: 47, maxLength: 47 } as const satisfies Options;

/** Unpadded base64url of exactly `bytes` bytes. */
export function base64urlField(bytes: number): Options {
  const length = Math.ceil((bytes * 4) / 3);
  return { type: String, pattern: `^[A-Za-z0-9_-]{${length}}$`, minLength: length, maxLength: length };
}

/** Ed25519 public keys and X25519 public keys: 32 bytes. */
export const PUBLIC_KEY_FIELD = base64urlField(32);
/** Ed25519 signatures: 64 bytes. */
export const SIGNATURE_FIELD = base64urlField(64);

/** A keyset cursor as the server issues it, or null on the last page. */
export const NEXT_CURSOR_FIELD = {
  type: String,
  nullable: true,
  pattern: '^[A-Za-z0-9_-]+$',
  maxLength: CURSOR_MAX_LENGTH,
  description: 'Pass as ?cursor= for the next page; null on the last',
} as const satisfies Options;

/** 32 random bytes, base64url: invitation codes, setup tokens, refresh tokens. */
export const OPAQUE_TOKEN = /^[A-Za-z0-9_-]{43}$/;
export const OPAQUE_TOKEN_LENGTH = 43;
export const OPAQUE_TOKEN_FIELD = { type: String, pattern: OPAQUE_TOKEN.source, minLength: OPAQUE_TOKEN_LENGTH, maxLength: OPAQUE_TOKEN_LENGTH } as const satisfies Options;

/** A JWS compact serialisation (header.payload.signature), as the server signs its tokens. */
export const JWT_PATTERN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
export const JWT_MAX_LENGTH = 2048;
export const JWT_FIELD = { type: String, pattern: JWT_PATTERN.source, maxLength: JWT_MAX_LENGTH } as const satisfies Options;

export function integerField(minimum: number, maximum: number): Options {
  return { type: 'integer', format: Math.max(Math.abs(minimum), Math.abs(maximum)) <= 2 ** 31 - 1 ? 'int32' : 'int64', minimum, maximum };
}
