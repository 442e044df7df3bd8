import sodium from 'libsodium-wrappers-sumo';
import { concatBytes, fromBase64Url, toBase64Url, uuidToBytes } from '../../crypto/binary-encoding';
import { BadSignatureError, MalformedInputError } from '../../crypto/protocol-errors';
import { readyCrypto } from '../../crypto/protocol-hash';
import { encodeRevisionSignatureMessage, RevisionSignaturePayload, SignedRevision } from '../../crypto/revision-payload';
import { encodeDataKeyWrapMessage, type SignedDataKeyWrap, type UnsignedDataKeyWrap } from '../../crypto/data-key-wrap-payload';
import { encodeRecordActionMessage, type RecordAction } from '../../crypto/record-action-payload';
import {
  importSignPublicKey,
  isValidEd25519Signature,
  verifyDataKeyWrapOnServer,
  verifyRecordActionOnServer,
  verifyRevisionSignatureOnServer,
  verifyTeamKeyGrantOnServer,
} from './signature-verifier';
import { encodeTeamKeyGrantMessage, TeamKeyGrant, UnsignedTeamKeyGrant } from '../../crypto/team-grant-payload';

// Signatures are made with libsodium, as clients make them; node:crypto must accept them.
describe('server-side Ed25519 verification (node:crypto) of libsodium signatures', () => {
  let signer: { publicKey: Uint8Array; privateKey: Uint8Array };
  let other: { publicKey: Uint8Array; privateKey: Uint8Array };

  beforeAll(async () => {
    await readyCrypto();
    signer = sodium.crypto_sign_seed_keypair(new Uint8Array(32).fill(1));
    other = sodium.crypto_sign_seed_keypair(new Uint8Array(32).fill(2));
  });

  it('accepts a libsodium signature and rejects any change to message, signature or key', () => {
    const message = sodium.randombytes_buf(200);
    const signature = sodium.crypto_sign_detached(message, signer.privateKey);
    expect(isValidEd25519Signature(signer.publicKey, message, signature)).toBe(true);
    expect(isValidEd25519Signature(toBase64Url(signer.publicKey), message, signature)).toBe(true);
    expect(isValidEd25519Signature(importSignPublicKey(signer.publicKey), message, signature)).toBe(true);
    expect(isValidEd25519Signature(other.publicKey, message, signature)).toBe(false);
    for (let i = 0; i < 64; i += 1) {
      const altered = Uint8Array.from(signature);
      altered[i] ^= 0x80;
      expect(isValidEd25519Signature(signer.publicKey, message, altered)).toBe(false);
    }
    const alteredMessage = Uint8Array.from(message);
    alteredMessage[199] ^= 1;
    expect(isValidEd25519Signature(signer.publicKey, alteredMessage, signature)).toBe(false);
    expect(isValidEd25519Signature(signer.publicKey, message, signature.subarray(0, 63))).toBe(false);
  });

  it('agrees with libsodium on many random messages', () => {
    for (let i = 0; i < 200; i += 1) {
      const message = sodium.randombytes_buf(i);
      const signature = sodium.crypto_sign_detached(message, signer.privateKey);
      expect(isValidEd25519Signature(signer.publicKey, message, signature)).toBe(
        sodium.crypto_sign_verify_detached(signature, message, signer.publicKey),
      );
    }
  });

  it('refuses malformed public keys', () => {
    expect(() => importSignPublicKey(new Uint8Array(31))).toThrow(MalformedInputError);
    expect(() => importSignPublicKey('not-a-key')).toThrow(MalformedInputError);
  });

  it('verifies a revision signature and rejects a forged or altered one', () => {
    const envelope = toBase64Url(
      concatBytes([Uint8Array.of(1, 1), uuidToBytes('0b9d5f0e-7c1a-4f5e-8d2b-3a4c5d6e7f80'), new Uint8Array(104)]),
    );
    const payload: RevisionSignaturePayload = {
      entity: 'case',
      recordId: '6f1c2b0e-8a44-4c1e-9d3a-2b7e5f0c9a11',
      version: 1,
      authorUserId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
      envelopes: [{ field: 'narrative', envelope }],
    };
    const signed: SignedRevision = {
      ...payload,
      signature: toBase64Url(sodium.crypto_sign_detached(encodeRevisionSignatureMessage(payload), signer.privateKey)),
    };
    expect(() => verifyRevisionSignatureOnServer(signed, signer.publicKey)).not.toThrow();
    expect(() => verifyRevisionSignatureOnServer(signed, other.publicKey)).toThrow(BadSignatureError);
    expect(() => verifyRevisionSignatureOnServer({ ...signed, version: 2 }, signer.publicKey)).toThrow(
      BadSignatureError,
    );
    expect(() =>
      verifyRevisionSignatureOnServer({ ...signed, authorUserId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6e' }, signer.publicKey),
    ).toThrow(BadSignatureError);
    expect(() => verifyRevisionSignatureOnServer({ ...signed, signature: 'AAAA' }, signer.publicKey)).toThrow(
      MalformedInputError,
    );
  });

  it('verifies a team key grant signature', () => {
    const unsigned: UnsignedTeamKeyGrant = {
      version: 1,
      scopeId: '11111111-2222-4333-8444-555555555555',
      generation: 1,
      recipientUserId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
      recipientBoxPublicKey: toBase64Url(new Uint8Array(32).fill(3)),
      granterUserId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6e',
      teamBoxPublicKey: toBase64Url(new Uint8Array(32).fill(4)),
      sealedTeamSeed: toBase64Url(new Uint8Array(80).fill(5)),
    };
    const grant: TeamKeyGrant = {
      ...unsigned,
      signature: toBase64Url(sodium.crypto_sign_detached(encodeTeamKeyGrantMessage(unsigned), signer.privateKey)),
    };
    expect(() => verifyTeamKeyGrantOnServer(grant, toBase64Url(signer.publicKey))).not.toThrow();
    expect(() => verifyTeamKeyGrantOnServer({ ...grant, generation: 2 }, signer.publicKey)).toThrow(BadSignatureError);
    const sealed = Uint8Array.from(fromBase64Url(grant.sealedTeamSeed));
    sealed[0] ^= 1;
    expect(() => verifyTeamKeyGrantOnServer({ ...grant, sealedTeamSeed: toBase64Url(sealed) }, signer.publicKey)).toThrow(
      BadSignatureError,
    );
    expect(() => verifyTeamKeyGrantOnServer({ ...grant, scopeId: 'x' }, signer.publicKey)).toThrow(MalformedInputError);
  });

  it('verifies a version-2 grant, whose signature also covers the recipient sign key', () => {
    const unsigned: UnsignedTeamKeyGrant = {
      version: 2,
      scopeId: '11111111-2222-4333-8444-555555555555',
      generation: 1,
      recipientUserId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
      recipientBoxPublicKey: toBase64Url(new Uint8Array(32).fill(3)),
      recipientSignPublicKey: toBase64Url(other.publicKey),
      granterUserId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6e',
      teamBoxPublicKey: toBase64Url(new Uint8Array(32).fill(4)),
      sealedTeamSeed: toBase64Url(new Uint8Array(80).fill(5)),
    };
    const grant: TeamKeyGrant = {
      ...unsigned,
      signature: toBase64Url(sodium.crypto_sign_detached(encodeTeamKeyGrantMessage(unsigned), signer.privateKey)),
    };
    expect(() => verifyTeamKeyGrantOnServer(grant, signer.publicKey)).not.toThrow();
    expect(() => verifyTeamKeyGrantOnServer({ ...grant, recipientSignPublicKey: toBase64Url(signer.publicKey) }, signer.publicKey)).toThrow(
      BadSignatureError,
    );
    // Dropping the sign key to pass the grant off as version 1 changes the signed bytes.
    const { recipientSignPublicKey: _dropped, ...rest } = grant;
    expect(() => verifyTeamKeyGrantOnServer({ ...rest, version: 1 }, signer.publicKey)).toThrow(BadSignatureError);
  });

  describe('data-key wraps', () => {
    const unsigned: UnsignedDataKeyWrap = {
      keyId: '0b9d5f0e-7c1a-4f5e-8d2b-3a4c5d6e7f80',
      scopeId: '11111111-2222-4333-8444-555555555555',
      generation: 2,
      sealed: toBase64Url(new Uint8Array(96).fill(6)),
      entity: 'case',
      recordId: '6f1c2b0e-8a44-4c1e-9d3a-2b7e5f0c9a11',
      writerUserId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
    };
    let wrap: SignedDataKeyWrap;

    beforeAll(() => {
      wrap = { ...unsigned, signature: toBase64Url(sodium.crypto_sign_detached(encodeDataKeyWrapMessage(unsigned), signer.privateKey)) };
    });

    it('accepts the writer signature and refuses another key', () => {
      expect(() => verifyDataKeyWrapOnServer(wrap, signer.publicKey)).not.toThrow();
      expect(() => verifyDataKeyWrapOnServer(wrap, importSignPublicKey(signer.publicKey))).not.toThrow();
      expect(() => verifyDataKeyWrapOnServer(wrap, other.publicKey)).toThrow(BadSignatureError);
    });

    it('refuses the wrap with any signed field altered', () => {
      const sealed = Uint8Array.from(fromBase64Url(wrap.sealed));
      sealed[10] ^= 1;
      const signature = Uint8Array.from(fromBase64Url(wrap.signature));
      signature[5] ^= 1;
      const altered: SignedDataKeyWrap[] = [
        { ...wrap, entity: 'visa_request' },
        { ...wrap, recordId: '6f1c2b0e-8a44-4c1e-9d3a-2b7e5f0c9a12' },
        { ...wrap, keyId: '0b9d5f0e-7c1a-4f5e-8d2b-3a4c5d6e7f81' },
        { ...wrap, scopeId: '11111111-2222-4333-8444-555555555556' },
        { ...wrap, generation: 3 },
        { ...wrap, writerUserId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6e' },
        { ...wrap, sealed: toBase64Url(sealed) },
        { ...wrap, signature: toBase64Url(signature) },
      ];
      for (const candidate of altered) {
        expect(() => verifyDataKeyWrapOnServer(candidate, signer.publicKey)).toThrow(BadSignatureError);
      }
      expect(() => verifyDataKeyWrapOnServer({ ...wrap, signature: 'AAAA' }, signer.publicKey)).toThrow(MalformedInputError);
    });
  });

  describe('record actions', () => {
    const action: RecordAction = {
      action: 'transfer',
      entity: 'case',
      recordId: '6f1c2b0e-8a44-4c1e-9d3a-2b7e5f0c9a11',
      version: 4,
      actorUserId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
      confirmation: 'TRANSFER KE-2026-0042 TO 11111111-2222-4333-8444-555555555555',
    };
    let signature: string;

    beforeAll(() => {
      signature = toBase64Url(sodium.crypto_sign_detached(encodeRecordActionMessage(action), signer.privateKey));
    });

    it("accepts the actor's signature and refuses another key", () => {
      expect(() => verifyRecordActionOnServer(action, signature, signer.publicKey)).not.toThrow();
      expect(() => verifyRecordActionOnServer(action, signature, other.publicKey)).toThrow(BadSignatureError);
    });

    it('refuses the action with any signed field altered', () => {
      const altered: RecordAction[] = [
        { ...action, action: 'shred' },
        { ...action, entity: 'visa_request' },
        { ...action, recordId: '6f1c2b0e-8a44-4c1e-9d3a-2b7e5f0c9a12' },
        { ...action, version: 5 },
        { ...action, actorUserId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6e' },
        { ...action, confirmation: 'TRANSFER KE-2026-0042 TO 11111111-2222-4333-8444-555555555556' },
      ];
      for (const candidate of altered) {
        expect(() => verifyRecordActionOnServer(candidate, signature, signer.publicKey)).toThrow(BadSignatureError);
      }
      const flipped = Uint8Array.from(fromBase64Url(signature));
      flipped[63] ^= 1;
      expect(() => verifyRecordActionOnServer(action, toBase64Url(flipped), signer.publicKey)).toThrow(BadSignatureError);
      expect(() => verifyRecordActionOnServer(action, 'AAAA', signer.publicKey)).toThrow(MalformedInputError);
    });
  });
});
