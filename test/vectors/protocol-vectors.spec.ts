import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sodium from 'libsodium-wrappers-sumo';
import {
  encodeLengthPrefixedTuple,
  fromBase64Url,
  fromHex,
  normaliseBlindIndexValue,
  readyCrypto,
  toBase64Url,
  toHex,
  u32be,
  u8,
  uuidToBytes,
  verifyRevisionSignatureOnServer,
  verifyTeamKeyGrantOnServer,
  KdfParameters,
} from '../../src/crypto';
import {
  blindIndex,
  deriveBlindIndexFieldKey,
  derivePasswordKey,
  deriveRecoverySecrets,
  deriveTeamKeys,
  deriveUserKeyPairs,
  fixedRandomSource,
  formatRecoveryKey,
  grantTeamSeed,
  openField,
  openHistoryLink,
  openSealedDataKey,
  openTeamGrant,
  parseRecoveryKey,
  rotateTeam,
  sealDataKeyToTeam,
  sealFieldTraced,
  signRevision,
  splitPasswordKey,
  unwrapUserSeed,
  userKeyPairsFingerprint,
  wrapUserSeed,
} from '../../src/client/crypto';
import { ProtocolVectors, buildProtocolVectors } from '../../scripts/generate-protocol-vectors';

// Every entry is recomputed twice: from raw libsodium calls and the byte layouts written
// in docs/protocol.md (so the document is checked), and through the library (so the
// code is checked against the document).
const vectors = JSON.parse(readFileSync(join(__dirname, 'protocol-v1.json'), 'utf8')) as ProtocolVectors;
const hex = (bytes: Uint8Array): string => toHex(bytes);
const tuple = encodeLengthPrefixedTuple;
const kdf = (id: number, context: string, key: Uint8Array): Uint8Array =>
  sodium.crypto_kdf_derive_from_key(32, id, context, key);
const fingerprintOf = (digest: Uint8Array): string =>
  Array.from({ length: 8 }, (_, i) =>
    (new DataView(digest.buffer, digest.byteOffset).getUint32(i * 4) % 100000).toString().padStart(5, '0'),
  ).join(' ');
const sealedBox = (message: Uint8Array, recipientPk: Uint8Array, ephemeralSeed: Uint8Array) => {
  const ephemeral = sodium.crypto_box_seed_keypair(ephemeralSeed);
  const nonce = sodium.crypto_generichash(24, new Uint8Array([...ephemeral.publicKey, ...recipientPk]), null);
  const box = sodium.crypto_box_easy(message, nonce, recipientPk, ephemeral.privateKey);
  return { ephemeralPublicKey: ephemeral.publicKey, nonce, sealed: new Uint8Array([...ephemeral.publicKey, ...box]) };
};
const b64 = (bytes: Uint8Array): string => toBase64Url(bytes);

describe('protocol v1 test vectors', () => {
  beforeAll(async () => {
    await readyCrypto();
  });

  it('has at least three entries of every primitive and one worked grant and rotation', () => {
    expect(vectors.version).toBe(1);
    for (const list of [
      vectors.kdf,
      vectors.recoveryKeys,
      vectors.userKeys,
      vectors.seedWraps,
      vectors.envelopes,
      vectors.sealedKeys,
      vectors.signatures,
      vectors.blindIndexes,
    ]) {
      expect(list.length).toBeGreaterThanOrEqual(3);
    }
    expect(vectors.grants).toHaveLength(1);
    expect(vectors.rotation).toHaveLength(1);
  });

  it('are exactly what the committed generator produces', async () => {
    expect(JSON.parse(JSON.stringify(await buildProtocolVectors()))).toEqual(vectors);
  });

  it('kdf: Argon2id password key, then KEK and authKey', () => {
    for (const entry of vectors.kdf) {
      const salt = fromHex(entry.saltHex);
      expect(hex(sodium.from_string(entry.password.normalize('NFKC')))).toBe(entry.passwordNfkcHex);
      const k = sodium.crypto_pwhash(32, fromHex(entry.passwordNfkcHex), salt, entry.opslimit, entry.memlimit, sodium.crypto_pwhash_ALG_ARGON2ID13);
      expect(hex(k)).toBe(entry.passwordKeyHex);
      expect(hex(kdf(entry.kek.subkeyId, entry.kek.context, k))).toBe(entry.kek.hex);
      expect(hex(kdf(entry.authKey.subkeyId, entry.authKey.context, k))).toBe(entry.authKey.hex);

      const params: KdfParameters = { algorithm: 'argon2id13', salt: b64(salt), opslimit: entry.opslimit, memlimit: entry.memlimit };
      const split = splitPasswordKey(derivePasswordKey(entry.password, params));
      expect([hex(split.kek), hex(split.authKey)]).toEqual([entry.kek.hex, entry.authKey.hex]);
    }
  });

  it('recoveryKeys: wrapping key, authKey and the printed form', () => {
    for (const entry of vectors.recoveryKeys) {
      const key = fromHex(entry.recoveryKeyHex);
      expect(hex(kdf(entry.wrappingKey.subkeyId, entry.wrappingKey.context, key))).toBe(entry.wrappingKey.hex);
      expect(hex(kdf(entry.authKey.subkeyId, entry.authKey.context, key))).toBe(entry.authKey.hex);
      const secrets = deriveRecoverySecrets(key);
      expect([hex(secrets.wrappingKey), hex(secrets.authKey)]).toEqual([entry.wrappingKey.hex, entry.authKey.hex]);
      expect(formatRecoveryKey(key)).toBe(entry.formatted);
      expect(hex(parseRecoveryKey(entry.formatted))).toBe(entry.recoveryKeyHex);
    }
  });

  it('userKeys: sub-seeds, key pairs and fingerprint', () => {
    for (const entry of vectors.userKeys) {
      const seed = fromHex(entry.seedHex);
      const boxSeed = kdf(entry.boxSeed.subkeyId, entry.boxSeed.context, seed);
      const signSeed = kdf(entry.signSeed.subkeyId, entry.signSeed.context, seed);
      expect([hex(boxSeed), hex(signSeed)]).toEqual([entry.boxSeed.hex, entry.signSeed.hex]);
      const box = sodium.crypto_box_seed_keypair(boxSeed).publicKey;
      const sign = sodium.crypto_sign_seed_keypair(signSeed).publicKey;
      expect([hex(box), hex(sign)]).toEqual([entry.boxPublicKeyHex, entry.signPublicKeyHex]);
      const digest = sodium.crypto_generichash(32, tuple(['egide-fingerprint', u8(1), 'user', box, sign]), null);
      expect(hex(digest)).toBe(entry.fingerprintDigestHex);
      expect(fingerprintOf(digest)).toBe(entry.fingerprint);
      expect(userKeyPairsFingerprint(deriveUserKeyPairs(seed))).toBe(entry.fingerprint);
    }
  });

  it('seedWraps: the user seed under a wrapping key', () => {
    for (const entry of vectors.seedWraps) {
      const ad = tuple(['egide-seed-wrap', u8(1), u8(1), entry.purpose]);
      expect(hex(ad)).toBe(entry.adHex);
      const ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
        fromHex(entry.seedHex), ad, null, fromHex(entry.nonceHex), fromHex(entry.wrappingKeyHex),
      );
      expect(b64(ciphertext)).toBe(entry.bundle.ciphertext);
      expect(b64(fromHex(entry.nonceHex))).toBe(entry.bundle.nonce);
      const bundle = wrapUserSeed(fromHex(entry.seedHex), fromHex(entry.wrappingKeyHex), entry.purpose, fixedRandomSource([fromHex(entry.nonceHex)]));
      expect(bundle).toEqual(entry.bundle);
      expect(hex(unwrapUserSeed(entry.bundle, fromHex(entry.wrappingKeyHex), entry.purpose))).toBe(entry.seedHex);
    }
  });

  it('envelopes: padding, associated data, AEAD and the final string', () => {
    for (const entry of vectors.envelopes) {
      const json = sodium.from_string(JSON.stringify(entry.plaintext));
      expect(JSON.stringify(entry.plaintext)).toBe(entry.plaintextJson);
      const padded = sodium.pad(json, 64);
      expect(hex(padded)).toBe(entry.paddedPlaintextHex);
      const ad = tuple(['egide', u8(1), u8(1), entry.entity, uuidToBytes(entry.recordId), entry.field, uuidToBytes(entry.keyId)]);
      expect(hex(ad)).toBe(entry.adHex);
      const nonce = fromHex(entry.nonceHex);
      const ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(padded, ad, null, nonce, fromHex(entry.keyHex));
      expect(b64(new Uint8Array([1, 1, ...uuidToBytes(entry.keyId), ...nonce, ...ciphertext]))).toBe(entry.envelope);

      const location = { entity: entry.entity, recordId: entry.recordId, field: entry.field };
      const dataKey = { keyId: entry.keyId, key: fromHex(entry.keyHex) };
      const trace = sealFieldTraced(entry.plaintext, location, dataKey, fixedRandomSource([nonce]));
      expect([trace.envelope, hex(trace.paddedPlaintext), hex(trace.associatedData)]).toEqual([
        entry.envelope, entry.paddedPlaintextHex, entry.adHex,
      ]);
      expect(openField(entry.envelope, location, dataKey)).toEqual(entry.plaintext);
    }
  });

  it('sealedKeys: keyId ‖ data key sealed to a team public key', () => {
    for (const entry of vectors.sealedKeys) {
      const team = deriveTeamKeys(fromHex(entry.teamSeedHex), entry.scopeId, entry.generation);
      expect([hex(team.boxSecretKey), hex(team.boxPublicKey)]).toEqual([entry.recipientSecretKeyHex, entry.recipientPublicKeyHex]);
      expect(hex(sodium.crypto_scalarmult_base(fromHex(entry.recipientSecretKeyHex)))).toBe(entry.recipientPublicKeyHex);
      const opened = new Uint8Array([...uuidToBytes(entry.keyId), ...fromHex(entry.dataKeyHex)]);
      expect(hex(opened)).toBe(entry.openedHex);
      const raw = sealedBox(opened, fromHex(entry.recipientPublicKeyHex), fromHex(entry.ephemeralSeedHex));
      expect([hex(raw.ephemeralPublicKey), hex(raw.nonce), b64(raw.sealed)]).toEqual([
        entry.ephemeralPublicKeyHex, entry.nonceHex, entry.sealed,
      ]);
      expect(hex(sodium.crypto_box_seal_open(raw.sealed, team.boxPublicKey, team.boxSecretKey))).toBe(entry.openedHex);

      const dataKey = { keyId: entry.keyId, key: fromHex(entry.dataKeyHex) };
      expect(sealDataKeyToTeam(dataKey, team, fixedRandomSource([fromHex(entry.ephemeralSeedHex)]))).toEqual(entry.sealedDataKey);
      expect(openSealedDataKey(entry.sealedDataKey, team)).toEqual(dataKey);
    }
  });

  it('signatures: envelope-list hash, revision message and Ed25519 signature', () => {
    for (const entry of vectors.signatures) {
      const sorted = [...entry.envelopes].sort((a, b) => (a.field < b.field ? -1 : 1));
      const list = tuple([
        'egide-envelope-list',
        u32be(sorted.length),
        ...sorted.flatMap((item) => [item.field, fromBase64Url(item.envelope)]),
      ]);
      expect(hex(list)).toBe(entry.envelopeListHex);
      const listHash = sodium.crypto_generichash(32, list, null);
      expect(hex(listHash)).toBe(entry.envelopeListHashHex);
      const message = tuple([
        'egide-revision', u8(1), entry.entity, uuidToBytes(entry.recordId), u32be(entry.version),
        uuidToBytes(entry.authorUserId), listHash,
      ]);
      expect(hex(message)).toBe(entry.messageHex);
      const keyPair = sodium.crypto_sign_seed_keypair(fromHex(entry.signSeedHex));
      expect(hex(keyPair.publicKey)).toBe(entry.signPublicKeyHex);
      expect(hex(sodium.crypto_sign_detached(message, keyPair.privateKey))).toBe(entry.signatureHex);

      const payload = {
        entity: entry.entity, recordId: entry.recordId, version: entry.version,
        authorUserId: entry.authorUserId, envelopes: entry.envelopes,
      };
      const signed = signRevision(payload, keyPair.privateKey);
      expect(hex(fromBase64Url(signed.signature))).toBe(entry.signatureHex);
      expect(() => verifyRevisionSignatureOnServer(signed, fromHex(entry.signPublicKeyHex))).not.toThrow();
    }
  });

  it('blindIndexes: per-field key, normalisation and index', () => {
    for (const entry of vectors.blindIndexes) {
      const teamKey = fromHex(entry.teamBlindIndexKeyHex);
      const fieldKey = sodium.crypto_generichash(32, tuple(['egide-blind-index', u8(1), entry.fieldId]), teamKey);
      expect(hex(fieldKey)).toBe(entry.keyHex);
      expect(hex(deriveBlindIndexFieldKey(teamKey, entry.fieldId))).toBe(entry.keyHex);
      expect(normaliseBlindIndexValue(entry.raw, entry.kind)).toBe(entry.normalised);
      expect(hex(sodium.from_string(entry.normalised))).toBe(entry.normalisedHex);
      expect(hex(sodium.crypto_generichash(16, fromHex(entry.normalisedHex), fieldKey))).toBe(entry.indexHex);
      expect(blindIndex(entry.raw, entry.kind, entry.fieldId, teamKey)).toBe(entry.index);
      expect(b64(fromHex(entry.indexHex))).toBe(entry.index);
    }
  });

  it('grants: the worked example seals, signs, verifies and opens', () => {
    for (const entry of vectors.grants) {
      const team = deriveTeamKeys(fromHex(entry.team.seedHex), entry.team.scopeId, entry.team.generation);
      expect(hex(kdf(entry.team.boxSeed.subkeyId, entry.team.boxSeed.context, team.seed))).toBe(entry.team.boxSeed.hex);
      expect(hex(team.boxPublicKey)).toBe(entry.team.boxPublicKeyHex);
      expect(hex(team.blindIndexKey)).toBe(entry.team.blindIndexKey.hex);
      expect(hex(team.historyKey)).toBe(entry.team.historyKey.hex);
      const granter = deriveUserKeyPairs(fromHex(entry.granter.userSeedHex));
      const recipient = deriveUserKeyPairs(fromHex(entry.recipient.userSeedHex));
      expect(hex(recipient.boxPublicKey)).toBe(entry.recipient.boxPublicKeyHex);
      expect(hex(granter.signPublicKey)).toBe(entry.granter.signPublicKeyHex);

      const raw = sealedBox(team.seed, recipient.boxPublicKey, fromHex(entry.ephemeralSeedHex));
      expect([hex(raw.ephemeralPublicKey), hex(raw.nonce), b64(raw.sealed)]).toEqual([
        entry.ephemeralPublicKeyHex, entry.sealNonceHex, entry.grant.sealedTeamSeed,
      ]);
      const message = tuple([
        'egide-team-grant', u8(1), uuidToBytes(entry.grant.scopeId), u32be(entry.grant.generation),
        uuidToBytes(entry.grant.recipientUserId), recipient.boxPublicKey, uuidToBytes(entry.grant.granterUserId),
        team.boxPublicKey, raw.sealed,
      ]);
      expect(hex(message)).toBe(entry.messageHex);
      expect(b64(sodium.crypto_sign_detached(message, granter.signSecretKey))).toBe(entry.grant.signature);

      const remade = grantTeamSeed(
        team,
        { userId: entry.recipient.userId, boxPublicKey: recipient.boxPublicKey },
        { userId: entry.granter.userId, signSecretKey: granter.signSecretKey },
        fixedRandomSource([fromHex(entry.ephemeralSeedHex)]),
      );
      expect(remade).toEqual(entry.grant);
      expect(() => verifyTeamKeyGrantOnServer(entry.grant, granter.signPublicKey)).not.toThrow();
      const opened = openTeamGrant(entry.grant, {
        recipientUserId: entry.recipient.userId,
        recipientKeys: recipient,
        granterSignPublicKey: granter.signPublicKey,
      });
      expect(hex(opened.seed)).toBe(entry.team.seedHex);
    }
  });

  it('rotation: the worked example re-seals, links back and grants', () => {
    for (const entry of vectors.rotation) {
      const previous = deriveTeamKeys(fromHex(entry.previous.seedHex), entry.previous.scopeId, entry.previous.generation);
      const members = entry.remainingMembers.map((m) => ({ userId: m.userId, keys: deriveUserKeyPairs(fromHex(m.userSeedHex)) }));
      const rotator = deriveUserKeyPairs(fromHex(entry.rotator.userSeedHex));
      const random = fixedRandomSource([
        fromHex(entry.newSeedHex),
        ...entry.resealEphemeralSeedsHex.map((s) => fromHex(s)),
        fromHex(entry.historyNonceHex),
        ...entry.grantEphemeralSeedsHex.map((s) => fromHex(s)),
      ]);
      const rotation = rotateTeam(
        {
          current: previous,
          sealedDataKeys: entry.sealedBefore,
          remainingMembers: members.map((m) => ({ userId: m.userId, boxPublicKey: m.keys.boxPublicKey })),
          rotatedBy: { userId: entry.rotator.userId, signSecretKey: rotator.signSecretKey },
        },
        random,
      );
      expect(hex(rotation.next.boxPublicKey)).toBe(entry.next.boxPublicKeyHex);
      expect(rotation.resealedDataKeys).toEqual(entry.resealedDataKeys);
      expect(rotation.historyLink).toEqual(entry.historyLink);
      expect(rotation.grants).toEqual(entry.grants);

      // The history link, from its documented layout.
      const ad = tuple(['egide-history-link', u8(1), u8(1), uuidToBytes(entry.previous.scopeId), u32be(2), u32be(1)]);
      expect(hex(ad)).toBe(entry.historyLinkAdHex);
      const historyKey = kdf(entry.next.historyKey.subkeyId, entry.next.historyKey.context, fromHex(entry.next.seedHex));
      expect(hex(historyKey)).toBe(entry.next.historyKey.hex);
      expect(
        b64(sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(fromHex(entry.previous.seedHex), ad, null, fromHex(entry.historyNonceHex), historyKey)),
      ).toBe(entry.historyLink.ciphertext);
      expect(hex(openHistoryLink(entry.historyLink, rotation.next).seed)).toBe(entry.previous.seedHex);

      // Every re-sealed key opens under the new generation to the original data key.
      expect(entry.resealedDataKeys.map((sealed) => openSealedDataKey(sealed, rotation.next)).map((k) => ({ keyId: k.keyId, keyHex: hex(k.key) }))).toEqual(entry.dataKeys);
      for (const [i, grant] of entry.grants.entries()) {
        expect(() => verifyTeamKeyGrantOnServer(grant, rotator.signPublicKey)).not.toThrow();
        const opened = openTeamGrant(grant, {
          recipientUserId: members[i].userId,
          recipientKeys: members[i].keys,
          granterSignPublicKey: rotator.signPublicKey,
        });
        expect(hex(opened.seed)).toBe(entry.next.seedHex);
      }
    }
  });
});
