/**
 * Typed failures of the Egide protocol, shared by the server and the client SDK.
 *
 * This module owns the closed set of ways protocol input can be rejected. Every check
 * in src/crypto and src/client/crypto throws one of these, so callers branch on `code`
 * (or `instanceof`) and the HTTP layer can map them to 400s. A failure must never be
 * reported by returning garbage, a partial plaintext or `null`, and an error message
 * must never contain key material or plaintext.
 */

export type ProtocolErrorCode =
  | 'malformed'
  | 'unknown_version'
  | 'unknown_algorithm'
  | 'over_cap'
  | 'wrong_key'
  | 'tampered'
  | 'wrong_associated_data'
  | 'bad_signature'
  | 'unsigned_wrap'
  | 'kdf_below_floor'
  | 'kdf_above_ceiling'
  | 'truncated_stream';

export abstract class ProtocolError extends Error {
  abstract readonly code: ProtocolErrorCode;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input is not well formed: bad base64url, wrong length, bad identifier, bad padding. */
export class MalformedInputError extends ProtocolError {
  readonly code = 'malformed';
}

/** A version byte this implementation does not know. */
export class UnknownVersionError extends ProtocolError {
  readonly code = 'unknown_version';
}

/** An algorithm id this implementation does not know. */
export class UnknownAlgorithmError extends ProtocolError {
  readonly code = 'unknown_algorithm';
}

/** Input exceeds a protocol cap (field size, field count, attachment size). */
export class OverCapError extends ProtocolError {
  readonly code = 'over_cap';
}

/**
 * The key supplied is not the one the data was sealed to: a keyId mismatch, a sealed
 * box that is not for this recipient, or a seed bundle that the password or recovery key
 * does not open.
 */
export class WrongKeyError extends ProtocolError {
  readonly code = 'wrong_key';
}

/**
 * Authenticated decryption failed with the right key id. XChaCha20-Poly1305 cannot tell
 * altered bytes from associated data that differs (an envelope moved to another record
 * or field): both surface here, and both mean the ciphertext must not be trusted.
 */
export class TamperedError extends ProtocolError {
  readonly code = 'tampered';
}

/**
 * The envelope's own header contradicts where the reader found it: its keyId is not the
 * key the row names. The reader-built associated data would not match, so this is
 * reported before any decryption is attempted.
 */
export class WrongAssociatedDataError extends ProtocolError {
  readonly code = 'wrong_associated_data';
}

/** An Ed25519 signature does not verify, or a signed claim contradicts what it signs. */
export class BadSignatureError extends ProtocolError {
  readonly code = 'bad_signature';
}

/**
 * A data-key wrap written before protocol 2 carries no writer signature: nothing says
 * which record the key belongs to, so a reader refuses it until a member re-signs it.
 */
export class UnsignedWrapError extends ProtocolError {
  readonly code = 'unsigned_wrap';
}

/** Argon2id parameters below the built-in floor: refused before any work is done. */
export class KdfBelowFloorError extends ProtocolError {
  readonly code = 'kdf_below_floor';
}

/** Argon2id parameters above the ceiling: a hostile server could stall the client. */
export class KdfAboveCeilingError extends ProtocolError {
  readonly code = 'kdf_above_ceiling';
}

/** An attachment stream ended before its final chunk. */
export class TruncatedStreamError extends ProtocolError {
  readonly code = 'truncated_stream';
}
