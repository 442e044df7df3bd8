/**
 * The sealed-field envelope: its byte layout, parsing, serialisation and the structural
 * checks the server runs on every envelope it stores.
 *
 *   version (1) ‖ alg (1) ‖ keyId (16) ‖ nonce (24) ‖ ciphertext ‖ tag (16), base64url
 *
 * This module owns what can be known about an envelope without a key: known version
 * and algorithm, exact lengths, the padding granularity and the size cap. It must never
 * decrypt, hold a key or trust the keyId for anything but routing: the associated data
 * that authenticates the keyId is rebuilt by the reader (see associated-data.ts).
 */
import {
  AEAD_TAG_BYTES,
  Algorithm,
  AlgorithmId,
  ENVELOPE_HEADER_BYTES,
  ENVELOPE_VERSION,
  KEY_ID_BYTES,
  MAX_ENVELOPE_BYTES,
  MAX_ENVELOPE_STRING_LENGTH,
  MIN_ENVELOPE_BYTES,
  NONCE_BYTES,
  PADDING_BLOCK_BYTES,
} from './protocol-constants';
import {
  MalformedInputError,
  OverCapError,
  UnknownAlgorithmError,
  UnknownVersionError,
  WrongAssociatedDataError,
} from './protocol-errors';
import { bytesToUuid, concatBytes, fromBase64Url, toBase64Url, u8, uuidToBytes } from './binary-encoding';

/** A parsed envelope. On the wire and in the database it is the base64url string. */
export interface Envelope {
  readonly version: typeof ENVELOPE_VERSION;
  readonly algorithm: AlgorithmId;
  /** The data key's id, lower-case UUID. Clear so that readers and the server can route. */
  readonly keyId: string;
  readonly nonce: Uint8Array;
  /** XChaCha20-Poly1305 ciphertext of the padded plaintext, tag included. */
  readonly ciphertext: Uint8Array;
}

const KNOWN_ALGORITHMS: ReadonlySet<number> = new Set(Object.values(Algorithm));

/**
 * Decodes an envelope string and checks its structure, returning its bytes. This is the
 * server's whole check of a sealed field; the client runs it too before decrypting.
 */
export function decodeEnvelope(text: string): Uint8Array {
  if (typeof text !== 'string') {
    throw new MalformedInputError('envelope must be a string');
  }
  if (text.length > MAX_ENVELOPE_STRING_LENGTH) {
    throw new OverCapError(`envelope exceeds ${MAX_ENVELOPE_BYTES} bytes`);
  }
  const bytes = fromBase64Url(text, 'envelope');
  if (bytes.length < 2) {
    throw new MalformedInputError('envelope is shorter than its header');
  }
  // Version first: a future version may have another layout, so nothing else is read.
  if (bytes[0] !== ENVELOPE_VERSION) {
    throw new UnknownVersionError(`unknown envelope version ${bytes[0]}`);
  }
  if (!KNOWN_ALGORITHMS.has(bytes[1])) {
    throw new UnknownAlgorithmError(`unknown envelope algorithm ${bytes[1]}`);
  }
  if (bytes.length < MIN_ENVELOPE_BYTES) {
    throw new MalformedInputError(`envelope must be at least ${MIN_ENVELOPE_BYTES} bytes`);
  }
  if (bytes.length > MAX_ENVELOPE_BYTES) {
    throw new OverCapError(`envelope exceeds ${MAX_ENVELOPE_BYTES} bytes`);
  }
  const paddedLength = bytes.length - ENVELOPE_HEADER_BYTES - AEAD_TAG_BYTES;
  if (paddedLength % PADDING_BLOCK_BYTES !== 0) {
    throw new MalformedInputError(`envelope plaintext is not padded to ${PADDING_BLOCK_BYTES} bytes`);
  }
  return bytes;
}

/** Parses and structurally validates an envelope string (see decodeEnvelope). */
export function parseEnvelope(text: string): Envelope {
  const bytes = decodeEnvelope(text);
  const keyIdStart = 2;
  const nonceStart = keyIdStart + KEY_ID_BYTES;
  const ciphertextStart = nonceStart + NONCE_BYTES;
  return {
    version: ENVELOPE_VERSION,
    algorithm: bytes[1] as AlgorithmId,
    keyId: bytesToUuid(bytes.subarray(keyIdStart, nonceStart)),
    nonce: bytes.subarray(nonceStart, ciphertextStart),
    ciphertext: bytes.subarray(ciphertextStart),
  };
}

export function serialiseEnvelope(envelope: Envelope): string {
  if (envelope.nonce.length !== NONCE_BYTES) {
    throw new MalformedInputError(`nonce must be ${NONCE_BYTES} bytes`);
  }
  return toBase64Url(
    concatBytes([
      u8(envelope.version),
      u8(envelope.algorithm),
      uuidToBytes(envelope.keyId, 'keyId'),
      envelope.nonce,
      envelope.ciphertext,
    ]),
  );
}

/** Padded plaintext size in bytes: clear metadata by design, handy for quotas. */
export function envelopePaddedPlaintextLength(envelope: Envelope): number {
  return envelope.ciphertext.length - AEAD_TAG_BYTES;
}

/**
 * The server's and the reader's check that an envelope is stored where its header says
 * it belongs: the keyId must be the key the row (or the record's key set) names.
 */
export function assertEnvelopeKeyId(envelope: Envelope, expectedKeyIds: string | readonly string[]): void {
  const allowed = (typeof expectedKeyIds === 'string' ? [expectedKeyIds] : expectedKeyIds).map((id) =>
    id.toLowerCase(),
  );
  if (!allowed.includes(envelope.keyId)) {
    throw new WrongAssociatedDataError('envelope is sealed under a key this record does not name');
  }
}
