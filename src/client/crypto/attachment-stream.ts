/**
 * Attachments (scans, photos, recordings) encrypted in chunks with
 * crypto_secretstream_xchacha20poly1305, so large files never sit whole in memory and a
 * stream cut short, reordered or spliced fails.
 *
 *   stream key = crypto_kdf_derive_from_key(32, DataKeySubkey.AttachmentStreamKey, "egdataky", data key)
 *   stream     = version u8 ‖ alg u8 ‖ chunk size u32be ‖ secretstream header (24)
 *                ‖ chunk₁ ‖ … ‖ chunkₙ
 * Every chunk but the last carries exactly `chunk size` plaintext bytes (+17 bytes of
 * overhead) with TAG_MESSAGE; the last carries 0..chunk size bytes with TAG_FINAL. Every
 * chunk's associated data is encodeAttachmentAssociatedData(location, keyId).
 *
 * This module owns the attachment format. openAttachment returns plaintext only once
 * the final chunk has authenticated; the incremental opener hands out authenticated
 * chunks, and its caller must discard them unless finish() succeeds.
 */
import sodium from 'libsodium-wrappers-sumo';
import {
  ATTACHMENT_CHUNK_BYTES,
  ATTACHMENT_HEADER_BYTES,
  ATTACHMENT_STREAM_ALGORITHM,
  ATTACHMENT_STREAM_VERSION,
  AttachmentLocation,
  DataKeySubkey,
  KdfContext,
  KEY_BYTES,
  MAX_ATTACHMENT_BYTES,
  MalformedInputError,
  OverCapError,
  SECRETSTREAM_CHUNK_OVERHEAD_BYTES,
  SECRETSTREAM_HEADER_BYTES,
  TamperedError,
  TruncatedStreamError,
  UnknownAlgorithmError,
  UnknownVersionError,
  WrongKeyError,
  assertCryptoReady,
  concatBytes,
  encodeAttachmentAssociatedData,
  readU32be,
  u32be,
  u8,
} from '../../crypto';
import { DataKey, assertDataKey } from './data-keys';

const MIN_CHUNK_BYTES = 1024;
const MAX_CHUNK_BYTES = 4 * 1024 * 1024;

function deriveStreamKey(dataKey: DataKey): Uint8Array {
  assertCryptoReady();
  assertDataKey(dataKey);
  return sodium.crypto_kdf_derive_from_key(
    KEY_BYTES,
    DataKeySubkey.AttachmentStreamKey,
    KdfContext.DataKey,
    dataKey.key,
  );
}

function assertChunkBytes(chunkBytes: number): void {
  if (!Number.isInteger(chunkBytes) || chunkBytes < MIN_CHUNK_BYTES || chunkBytes > MAX_CHUNK_BYTES) {
    throw new MalformedInputError(`attachment chunk size must be ${MIN_CHUNK_BYTES}..${MAX_CHUNK_BYTES} bytes`);
  }
}

export interface AttachmentSealer {
  /** The stream header; written first. */
  readonly header: Uint8Array;
  /** Seals the next chunk: exactly chunkBytes long unless `isLast`. */
  sealChunk(plaintext: Uint8Array, isLast: boolean): Uint8Array;
}

export function createAttachmentSealer(
  location: AttachmentLocation,
  dataKey: DataKey,
  chunkBytes: number = ATTACHMENT_CHUNK_BYTES,
): AttachmentSealer {
  assertChunkBytes(chunkBytes);
  const associatedData = encodeAttachmentAssociatedData(location, dataKey.keyId);
  const key = deriveStreamKey(dataKey);
  const { state, header } = sodium.crypto_secretstream_xchacha20poly1305_init_push(key);
  sodium.memzero(key);
  let finished = false;
  return {
    header: concatBytes([u8(ATTACHMENT_STREAM_VERSION), u8(ATTACHMENT_STREAM_ALGORITHM), u32be(chunkBytes), header]),
    sealChunk(plaintext, isLast) {
      if (finished) throw new MalformedInputError('the attachment stream is already final');
      if (isLast ? plaintext.length > chunkBytes : plaintext.length !== chunkBytes) {
        throw new MalformedInputError(`every chunk but the last holds exactly ${chunkBytes} bytes`);
      }
      finished = isLast;
      return sodium.crypto_secretstream_xchacha20poly1305_push(
        state,
        plaintext,
        associatedData,
        isLast
          ? sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL
          : sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE,
      );
    },
  };
}

export interface AttachmentOpener {
  readonly chunkBytes: number;
  /** Size of the next sealed chunk to feed, when it is not the last one. */
  readonly sealedChunkBytes: number;
  /** Authenticates and opens the next chunk in order. */
  openChunk(sealedChunk: Uint8Array): { plaintext: Uint8Array; isLast: boolean };
  /** Throws TruncatedStreamError unless the final chunk was seen. */
  finish(): void;
}

export function createAttachmentOpener(
  location: AttachmentLocation,
  dataKey: DataKey,
  streamHeader: Uint8Array,
): AttachmentOpener {
  if (streamHeader.length < 2) {
    throw new TruncatedStreamError('attachment stream ends inside its header');
  }
  if (streamHeader[0] !== ATTACHMENT_STREAM_VERSION) {
    throw new UnknownVersionError(`unknown attachment stream version ${streamHeader[0]}`);
  }
  if (streamHeader[1] !== ATTACHMENT_STREAM_ALGORITHM) {
    throw new UnknownAlgorithmError(`unknown attachment stream algorithm ${streamHeader[1]}`);
  }
  if (streamHeader.length !== ATTACHMENT_HEADER_BYTES) {
    throw new TruncatedStreamError('attachment stream ends inside its header');
  }
  const chunkBytes = readU32be(streamHeader, 2);
  assertChunkBytes(chunkBytes);
  const associatedData = encodeAttachmentAssociatedData(location, dataKey.keyId);
  const key = deriveStreamKey(dataKey);
  let state: ReturnType<typeof sodium.crypto_secretstream_xchacha20poly1305_init_pull>;
  try {
    state = sodium.crypto_secretstream_xchacha20poly1305_init_pull(
      streamHeader.subarray(ATTACHMENT_HEADER_BYTES - SECRETSTREAM_HEADER_BYTES),
      key,
    );
  } catch {
    throw new WrongKeyError('attachment stream header is not usable with this key');
  } finally {
    sodium.memzero(key);
  }
  let finished = false;
  return {
    chunkBytes,
    sealedChunkBytes: chunkBytes + SECRETSTREAM_CHUNK_OVERHEAD_BYTES,
    openChunk(sealedChunk) {
      if (finished) throw new TamperedError('data follows the final chunk of the attachment stream');
      if (
        sealedChunk.length < SECRETSTREAM_CHUNK_OVERHEAD_BYTES ||
        sealedChunk.length > chunkBytes + SECRETSTREAM_CHUNK_OVERHEAD_BYTES
      ) {
        throw new MalformedInputError('attachment chunk has an impossible length');
      }
      const result = sodium.crypto_secretstream_xchacha20poly1305_pull(state, sealedChunk, associatedData);
      if (result === false) {
        throw new TamperedError('attachment chunk does not authenticate: altered, reordered or from another stream');
      }
      const isLast = result.tag === sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL;
      if (!isLast && sealedChunk.length !== chunkBytes + SECRETSTREAM_CHUNK_OVERHEAD_BYTES) {
        throw new TamperedError('a short chunk that is not final');
      }
      finished = isLast;
      return { plaintext: result.message, isLast };
    },
    finish() {
      if (!finished) throw new TruncatedStreamError('attachment stream ended before its final chunk');
    },
  };
}

/** Seals a whole attachment held in memory. */
export function sealAttachment(
  plaintext: Uint8Array,
  location: AttachmentLocation,
  dataKey: DataKey,
  chunkBytes: number = ATTACHMENT_CHUNK_BYTES,
): Uint8Array {
  if (plaintext.length > MAX_ATTACHMENT_BYTES) {
    throw new OverCapError(`an attachment holds at most ${MAX_ATTACHMENT_BYTES} bytes`);
  }
  const sealer = createAttachmentSealer(location, dataKey, chunkBytes);
  const parts: Uint8Array[] = [sealer.header];
  // The last chunk is the short (possibly empty) remainder, so a stream never ends on a
  // full chunk that could be mistaken for a cut.
  const fullChunks = Math.floor(plaintext.length / chunkBytes);
  for (let i = 0; i < fullChunks; i += 1) {
    parts.push(sealer.sealChunk(plaintext.subarray(i * chunkBytes, (i + 1) * chunkBytes), false));
  }
  parts.push(sealer.sealChunk(plaintext.subarray(fullChunks * chunkBytes), true));
  return concatBytes(parts);
}

/** Opens a whole attachment; returns nothing unless every chunk and the end authenticate. */
export function openAttachment(sealed: Uint8Array, location: AttachmentLocation, dataKey: DataKey): Uint8Array {
  const opener = createAttachmentOpener(location, dataKey, sealed.subarray(0, ATTACHMENT_HEADER_BYTES));
  const parts: Uint8Array[] = [];
  let offset = ATTACHMENT_HEADER_BYTES;
  try {
    while (offset < sealed.length) {
      const end = Math.min(offset + opener.sealedChunkBytes, sealed.length);
      const { plaintext, isLast } = opener.openChunk(sealed.subarray(offset, end));
      parts.push(plaintext);
      offset = end;
      if (isLast && offset !== sealed.length) {
        throw new TamperedError('data follows the final chunk of the attachment stream');
      }
    }
    opener.finish();
    return concatBytes(parts);
  } catch (error) {
    for (const part of parts) sodium.memzero(part);
    throw error;
  }
}
