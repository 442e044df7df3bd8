import fc from 'fast-check';
import sodium from 'libsodium-wrappers-sumo';
import {
  ATTACHMENT_HEADER_BYTES,
  MalformedInputError,
  ProtocolError,
  TamperedError,
  TruncatedStreamError,
  UnknownVersionError,
  concatBytes,
  readyCrypto,
} from '../../crypto';
import {
  createAttachmentOpener,
  createAttachmentSealer,
  openAttachment,
  sealAttachment,
} from './attachment-stream';
import { DataKey, generateDataKey } from './data-keys';

const location = {
  entity: 'case',
  recordId: '6f1c2b0e-8a44-4c1e-9d3a-2b7e5f0c9a11',
  attachmentId: '7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d',
};
const chunk = 1024;
const sealedChunk = chunk + 17;

function expectFailure(run: () => unknown, type: abstract new (...args: never[]) => ProtocolError): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(type);
}

describe('attachment streams', () => {
  let dataKey: DataKey;
  let plaintext: Uint8Array;
  let sealed: Uint8Array;

  beforeAll(async () => {
    await readyCrypto();
    dataKey = generateDataKey();
    plaintext = sodium.randombytes_buf(chunk * 4 + 100);
    sealed = sealAttachment(plaintext, location, dataKey, chunk);
  });

  it('round-trips, with the documented layout', () => {
    expect(sealed.length).toBe(ATTACHMENT_HEADER_BYTES + 4 * sealedChunk + 100 + 17);
    expect(openAttachment(sealed, location, dataKey)).toEqual(plaintext);
  });

  it('round-trips empty and exact-multiple attachments, and random sizes (property)', () => {
    for (const size of [0, 1, chunk - 1, chunk, chunk * 2]) {
      const bytes = sodium.randombytes_buf(size);
      expect(openAttachment(sealAttachment(bytes, location, dataKey, chunk), location, dataKey)).toEqual(bytes);
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 6 * chunk }), (bytes) => {
        expect(openAttachment(sealAttachment(bytes, location, dataKey, chunk), location, dataKey)).toEqual(bytes);
      }),
      { numRuns: 50 },
    );
  });

  it('fails when truncated at a chunk boundary', () => {
    for (let chunks = 0; chunks <= 4; chunks += 1) {
      const cut = sealed.subarray(0, ATTACHMENT_HEADER_BYTES + chunks * sealedChunk);
      expectFailure(() => openAttachment(cut, location, dataKey), TruncatedStreamError);
    }
  });

  it('fails when truncated anywhere else', () => {
    for (let cut = 0; cut < sealed.length; cut += 97) {
      expectFailure(() => openAttachment(sealed.subarray(0, cut), location, dataKey), ProtocolError);
    }
  });

  it('fails when chunks are reordered, dropped, duplicated or extended', () => {
    const header = sealed.subarray(0, ATTACHMENT_HEADER_BYTES);
    const chunks = [0, 1, 2, 3].map((i) =>
      sealed.subarray(ATTACHMENT_HEADER_BYTES + i * sealedChunk, ATTACHMENT_HEADER_BYTES + (i + 1) * sealedChunk),
    );
    const last = sealed.subarray(ATTACHMENT_HEADER_BYTES + 4 * sealedChunk);
    const variants = [
      [chunks[1], chunks[0], chunks[2], chunks[3], last],
      [chunks[0], chunks[2], chunks[3], last],
      [chunks[0], chunks[0], chunks[1], chunks[2], chunks[3], last],
      [chunks[0], chunks[1], chunks[2], chunks[3], last, chunks[0]],
    ];
    for (const parts of variants) {
      expectFailure(() => openAttachment(concatBytes([header, ...parts]), location, dataKey), TamperedError);
    }
    expectFailure(() => openAttachment(concatBytes([sealed, Uint8Array.of(0)]), location, dataKey), ProtocolError);
  });

  it('fails on any flipped byte, another key, another record or another attachment', () => {
    for (let i = ATTACHMENT_HEADER_BYTES - 24; i < sealed.length; i += 53) {
      const altered = Uint8Array.from(sealed);
      altered[i] ^= 1;
      expectFailure(() => openAttachment(altered, location, dataKey), TamperedError);
    }
    expectFailure(() => openAttachment(sealed, location, generateDataKey()), TamperedError);
    expectFailure(
      () => openAttachment(sealed, { ...location, recordId: '6f1c2b0e-8a44-4c1e-9d3a-2b7e5f0c9a12' }, dataKey),
      TamperedError,
    );
    expectFailure(
      () => openAttachment(sealed, { ...location, attachmentId: '7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5e' }, dataKey),
      TamperedError,
    );
    const version = Uint8Array.from(sealed);
    version[0] = 2;
    expectFailure(() => openAttachment(version, location, dataKey), UnknownVersionError);
  });

  it('streams chunk by chunk, and finish() refuses a stream without its final chunk', () => {
    const sealer = createAttachmentSealer(location, dataKey, chunk);
    const first = sealer.sealChunk(plaintext.subarray(0, chunk), false);
    expect(() => sealer.sealChunk(plaintext.subarray(0, 10), false)).toThrow(MalformedInputError);
    const final = sealer.sealChunk(plaintext.subarray(chunk, chunk + 10), true);
    expect(() => sealer.sealChunk(new Uint8Array(0), true)).toThrow(MalformedInputError);

    const opener = createAttachmentOpener(location, dataKey, sealer.header);
    expect(opener.openChunk(first)).toEqual({ plaintext: plaintext.subarray(0, chunk), isLast: false });
    expect(() => opener.finish()).toThrow(TruncatedStreamError);
    expect(opener.openChunk(final)).toEqual({ plaintext: plaintext.subarray(chunk, chunk + 10), isLast: true });
    expect(() => opener.finish()).not.toThrow();
    expect(() => opener.openChunk(final)).toThrow(TamperedError);
  });
});
