/**
 * The shapes of what a client sends to prove itself, shared by the request DTOs of auth:
 * authKeys, TOTP codes, fingerprints and base64url in general. Each is the protocol's own
 * rule (src/crypto), restated as a validator pattern so that a bad value is a 400 naming
 * the field before the service runs.
 */
import { CANONICAL_BASE64URL, canonicalBase64UrlOf } from '../../crypto/binary-encoding';

/** Canonical base64url (the decoder's own rule, src/crypto/binary-encoding.ts). */
export const BASE64URL = CANONICAL_BASE64URL;

/** 32 bytes, base64url: an authKey or recovery authKey. */
export const AUTH_KEY_PATTERN = canonicalBase64UrlOf(32);
export const AUTH_KEY_LENGTH = 43;

/** Six digits. */
export const TOTP_CODE = /^\d{6}$/;

/** Eight groups of five digits (docs/protocol.md, fingerprints). */
export const FINGERPRINT_PATTERN = /^\d{5}( \d{5}){7}$/;
export const FINGERPRINT_LENGTH = 47;
