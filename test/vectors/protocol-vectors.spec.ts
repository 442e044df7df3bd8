import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sodium from 'libsodium-wrappers-sumo';
import Ajv2020 from 'ajv/dist/2020';
import {
  BadSignatureError,
  MalformedInputError,
  UnsignedWrapError,
  WrongKeyError,
  encodeDataKeyWrapMessage,
  encodeLengthPrefixedTuple,
  encodeRecordActionMessage,
  encodeTeamKeyGrantMessage,
  fromBase64Url,
  fromHex,
  normaliseBlindIndexValue,
  readyCrypto,
  teamKeyFingerprint,
  toBase64Url,
  toHex,
  u32be,
  u8,
  uuidToBytes,
  validateTeamKeyGrant,
  KdfParameters,
} from '../../src/crypto';
import { verifyDataKeyWrapOnServer, verifyRecordActionOnServer, verifyRevisionSignatureOnServer, verifyTeamKeyGrantOnServer } from '../../src/common/crypto/signature-verifier';
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
  signDataKeyWrap,
  signRecordAction,
  signRevision,
  splitPasswordKey,
  teamKeysFingerprint,
  unwrapUserSeed,
  userKeyPairsFingerprint,
  verifyDataKeyWrap,
  wrapUserSeed,
} from '../../src/client/crypto';
import { caseBlindIndexes } from '../../src/client/case-flow';
import { ProtocolVectors, buildProtocolVectors } from '../../scripts/generate-protocol-vectors';

// Every entry is recomputed twice: from raw libsodium calls and the byte layouts written
// in docs/protocol.md (so the document is checked), and through the library (so the
// code is checked against the document).
const vectors = JSON.parse(readFileSync(join(__dirname, 'protocol-v2.json'), 'utf8')) as ProtocolVectors;
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
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The JSON Schemas of the sealed fields (docs/protocol.md §5.15), compiled once. */
const schemas = new Ajv2020({ strict: true, allErrors: true });
const schemaText = (name: string): { $id: string } =>
  JSON.parse(readFileSync(join(__dirname, '..', '..', 'docs', 'schemas', `${name}.schema.json`), 'utf8')) as { $id: string };
const schemaOf = (name: string) => {
  const schema = schemaText(name);
  return schemas.getSchema(schema.$id) ?? schemas.compile(schema);
};

describe('protocol v2 test vectors', () => {
  beforeAll(async () => {
    await readyCrypto();
  });

  it('has at least three entries of every primitive and one worked grant and rotation', () => {
    expect(vectors.version).toBe(2);
    for (const list of [
      vectors.kdf,
      vectors.recoveryKeys,
      vectors.userKeys,
      vectors.seedWraps,
      vectors.envelopes,
      vectors.sealedKeys,
      vectors.signatures,
      vectors.blindIndexes,
      vectors.teamFingerprints,
    ]) {
      expect(list.length).toBeGreaterThanOrEqual(3);
    }
    expect(vectors.caseBlindIndexes).toHaveLength(1);
    expect(vectors.wrapSignatures.length).toBeGreaterThanOrEqual(3);
    expect(vectors.recordActions.length).toBeGreaterThanOrEqual(3);
    expect(vectors.grants).toHaveLength(1);
    expect(vectors.legacyGrants).toHaveLength(1);
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
      // The last character carries one data bit and four zero bits: 0 or G, nothing else parses.
      const last = entry.formatted.slice(-1);
      expect(last).toBe(key[31] & 1 ? 'G' : '0');
      for (const other of CROCKFORD.replace(/[0G]/g, '')) {
        expect(() => parseRecoveryKey(entry.formatted.slice(0, -1) + other)).toThrow(MalformedInputError);
      }
      const flipped = parseRecoveryKey(entry.formatted.slice(0, -1) + (last === 'G' ? '0' : 'G'));
      expect([hex(flipped.subarray(0, 31)), flipped[31] ^ key[31]]).toEqual([entry.recoveryKeyHex.slice(0, 62), 1]);
      expect(hex(parseRecoveryKey(entry.formatted.toLowerCase().replace(/-/g, ' ')))).toBe(entry.recoveryKeyHex);
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

  it('envelopes: a case identity and a timeline event body, under one data key, as their schemas say', () => {
    const [identity, event] = [vectors.envelopes[4], vectors.envelopes[5]];
    expect([identity.entity, identity.field, event.entity, event.field]).toEqual(['case', 'identity', 'case_event', 'body']);
    expect([event.keyId, event.keyHex]).toEqual([identity.keyId, identity.keyHex]);
    expect(event.recordId).not.toBe(identity.recordId);
    const validIdentity = schemaOf('identity');
    expect(validIdentity(identity.plaintext)).toBe(true);
    expect(validIdentity({ ...(identity.plaintext as object), nickname: 'x' })).toBe(false);
    expect(validIdentity({ aliases: [] })).toBe(false);
    expect(schemaOf('case_event.body')(event.plaintext)).toBe(true);
    expect(schemaOf('case_event.body')(null)).toBe(false);
  });

  it('schemas: one per sealed field, draft 2020-12, their examples valid', () => {
    for (const name of ['identity', 'contacts', 'location', 'narrative', 'protection_measures', 'family', 'notes', 'case_event.body']) {
      const text = schemaText(name) as unknown as { $schema: string; examples: unknown[]; $defs?: { conventional?: object } };
      expect(text.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      const validate = schemaOf(name);
      expect(text.examples.length).toBeGreaterThan(0);
      for (const example of text.examples) expect(validate(example)).toBe(true);
      if (text.$defs?.conventional !== undefined) {
        const conventional = schemas.compile({ ...text.$defs.conventional, $schema: text.$schema });
        for (const example of text.examples) expect(conventional(example)).toBe(true);
      }
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

  it('caseBlindIndexes: name and passport field keys from one team seed, and what a case indexes', () => {
    for (const entry of vectors.caseBlindIndexes) {
      const seed = fromHex(entry.team.seedHex);
      const teamBlindIndexKey = kdf(entry.team.blindIndexKey.subkeyId, entry.team.blindIndexKey.context, seed);
      expect([entry.team.blindIndexKey.context, entry.team.blindIndexKey.subkeyId]).toEqual(['egteam__', 2]);
      expect(hex(teamBlindIndexKey)).toBe(entry.team.blindIndexKey.hex);
      const fieldKeys = new Map<string, Uint8Array>();
      for (const fieldKey of entry.fieldKeys) {
        const message = tuple(['egide-blind-index', u8(1), fieldKey.fieldId]);
        expect(hex(message)).toBe(fieldKey.messageHex);
        const key = sodium.crypto_generichash(32, message, teamBlindIndexKey);
        expect(hex(key)).toBe(fieldKey.keyHex);
        expect(hex(deriveBlindIndexFieldKey(teamBlindIndexKey, fieldKey.fieldId))).toBe(fieldKey.keyHex);
        fieldKeys.set(fieldKey.fieldId, key);
      }
      expect([...fieldKeys.keys()]).toEqual(['name', 'passport']);

      // §5.9: fullName and each alias as name/text, each passport number as passport/passport,
      // in that order; empty after normalisation → not indexed; a repeated (fieldId, index) → dropped.
      const { identity } = entry;
      const candidates = [
        ['fullName', 'name', 'text', identity.fullName],
        ...identity.aliases.map((raw, i) => [`aliases.${i}`, 'name', 'text', raw]),
        ...identity.passportNumbers.map((raw, i) => [`passportNumbers.${i}`, 'passport', 'passport', raw]),
      ] as [string, 'name' | 'passport', 'text' | 'passport', string][];
      expect(entry.values.map((value) => [value.source, value.fieldId, value.kind, value.raw])).toEqual(candidates);
      const seen = new Set<string>();
      const sent: { fieldId: string; value: string }[] = [];
      for (const value of entry.values) {
        expect(normaliseBlindIndexValue(value.raw, value.kind)).toBe(value.normalised);
        expect(hex(sodium.from_string(value.normalised))).toBe(value.normalisedHex);
        if (value.normalised === '') {
          expect([value.outcome, value.index, value.indexHex]).toEqual(['empty', null, null]);
          continue;
        }
        const fieldKey = fieldKeys.get(value.fieldId);
        if (fieldKey === undefined) throw new Error(`no field key for ${value.fieldId}`);
        const index = b64(sodium.crypto_generichash(16, sodium.from_string(value.normalised), fieldKey));
        expect([index, hex(fromBase64Url(index))]).toEqual([value.index, value.indexHex]);
        expect(blindIndex(value.raw, value.kind, value.fieldId, teamBlindIndexKey)).toBe(index);
        const duplicate = seen.has(`${value.fieldId}:${index}`);
        expect(value.outcome).toBe(duplicate ? 'duplicate' : 'indexed');
        if (!duplicate) sent.push({ fieldId: value.fieldId, value: index });
        seen.add(`${value.fieldId}:${index}`);
      }
      expect(new Set(entry.values.map((value) => value.outcome))).toEqual(new Set(['indexed', 'duplicate', 'empty']));
      expect(sent.length).toBeLessThanOrEqual(16);
      expect(entry.blindIndexes).toEqual(sent);
      const team = deriveTeamKeys(seed, entry.team.scopeId, entry.team.generation);
      expect(caseBlindIndexes(identity, team)).toEqual(sent);
      expect(identity).toEqual(vectors.envelopes[4].plaintext);
    }
  });

  it('teamFingerprints: digest of (scope, generation, team public key) and its display', () => {
    expect(vectors.teamFingerprints.map((entry) => entry.scopeId)).toContain('00000000-0000-4000-8000-00000000c0de');
    for (const entry of vectors.teamFingerprints) {
      const boxSeed = kdf(1, 'egteam__', fromHex(entry.teamSeedHex));
      const teamPk = sodium.crypto_box_seed_keypair(boxSeed).publicKey;
      expect(hex(teamPk)).toBe(entry.teamBoxPublicKeyHex);
      const message = tuple(['egide-fingerprint', u8(1), 'team', uuidToBytes(entry.scopeId), u32be(entry.generation), teamPk]);
      expect(hex(message)).toBe(entry.messageHex);
      const digest = sodium.crypto_generichash(32, message, null);
      expect(hex(digest)).toBe(entry.fingerprintDigestHex);
      expect(fingerprintOf(digest)).toBe(entry.fingerprint);
      expect(teamKeyFingerprint(entry.scopeId, entry.generation, teamPk)).toBe(entry.fingerprint);
      expect(teamKeysFingerprint(deriveTeamKeys(fromHex(entry.teamSeedHex), entry.scopeId, entry.generation))).toBe(entry.fingerprint);
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
      expect(entry.grant.version).toBe(2);
      expect(b64(recipient.signPublicKey)).toBe(entry.grant.recipientSignPublicKey);
      const message = tuple([
        'egide-team-grant', u8(2), uuidToBytes(entry.grant.scopeId), u32be(entry.grant.generation),
        uuidToBytes(entry.grant.recipientUserId), recipient.boxPublicKey, recipient.signPublicKey,
        uuidToBytes(entry.grant.granterUserId), team.boxPublicKey, raw.sealed,
      ]);
      expect(hex(message)).toBe(entry.messageHex);
      expect(b64(sodium.crypto_sign_detached(message, granter.signSecretKey))).toBe(entry.grant.signature);

      const remade = grantTeamSeed(
        team,
        { userId: entry.recipient.userId, boxPublicKey: recipient.boxPublicKey, signPublicKey: recipient.signPublicKey },
        { userId: entry.granter.userId, signSecretKey: granter.signSecretKey },
        fixedRandomSource([fromHex(entry.ephemeralSeedHex)]),
      );
      expect(remade).toEqual(entry.grant);
      // A version-2 grant vouches for the recipient's sign key: one naming another key does not open.
      const otherSignKey = deriveUserKeyPairs(fromHex(entry.granter.userSeedHex));
      expect(() =>
        openTeamGrant(entry.grant, {
          recipientUserId: entry.recipient.userId,
          recipientKeys: { ...recipient, signPublicKey: otherSignKey.signPublicKey },
          granterSignPublicKey: granter.signPublicKey,
        }),
      ).toThrow(WrongKeyError);
      expect(() => verifyTeamKeyGrantOnServer(entry.grant, granter.signPublicKey)).not.toThrow();
      const opened = openTeamGrant(entry.grant, {
        recipientUserId: entry.recipient.userId,
        recipientKeys: recipient,
        granterSignPublicKey: granter.signPublicKey,
      });
      expect(hex(opened.seed)).toBe(entry.team.seedHex);
    }
  });

  it('legacyGrants: a version-1 grant still opens for its recipient and verifies', () => {
    for (const entry of vectors.legacyGrants) {
      const team = deriveTeamKeys(fromHex(entry.team.seedHex), entry.team.scopeId, entry.team.generation);
      const granter = deriveUserKeyPairs(fromHex(entry.granter.userSeedHex));
      const recipient = deriveUserKeyPairs(fromHex(entry.recipient.userSeedHex));
      expect(entry.grant.version).toBe(1);
      expect(entry.grant).not.toHaveProperty('recipientSignPublicKey');
      const raw = sealedBox(team.seed, recipient.boxPublicKey, fromHex(entry.ephemeralSeedHex));
      expect(b64(raw.sealed)).toBe(entry.grant.sealedTeamSeed);
      const message = tuple([
        'egide-team-grant', u8(1), uuidToBytes(entry.grant.scopeId), u32be(entry.grant.generation),
        uuidToBytes(entry.grant.recipientUserId), recipient.boxPublicKey, uuidToBytes(entry.grant.granterUserId),
        team.boxPublicKey, raw.sealed,
      ]);
      expect(hex(message)).toBe(entry.messageHex);
      expect(b64(sodium.crypto_sign_detached(message, granter.signSecretKey))).toBe(entry.grant.signature);
      expect(hex(encodeTeamKeyGrantMessage(entry.grant))).toBe(entry.messageHex);
      expect(() => verifyTeamKeyGrantOnServer(entry.grant, granter.signPublicKey)).not.toThrow();
      const opened = openTeamGrant(entry.grant, {
        recipientUserId: entry.recipient.userId,
        recipientKeys: recipient,
        granterSignPublicKey: granter.signPublicKey,
      });
      expect(hex(opened.seed)).toBe(entry.team.seedHex);
      // Each version has one shape.
      expect(() => validateTeamKeyGrant({ ...entry.grant, recipientSignPublicKey: b64(recipient.signPublicKey) })).toThrow(MalformedInputError);
      expect(() => validateTeamKeyGrant({ ...entry.grant, version: 2 })).toThrow(MalformedInputError);
    }
  });

  it('wrapSignatures: a sealed data key bound to its record and writer', () => {
    for (const entry of vectors.wrapSignatures) {
      const team = deriveTeamKeys(fromHex(entry.teamSeedHex), entry.sealedDataKey.scopeId, entry.sealedDataKey.generation);
      expect(hex(team.boxPublicKey)).toBe(entry.teamBoxPublicKeyHex);
      const opened = new Uint8Array([...uuidToBytes(entry.keyId), ...fromHex(entry.dataKeyHex)]);
      expect(b64(sealedBox(opened, team.boxPublicKey, fromHex(entry.ephemeralSeedHex)).sealed)).toBe(entry.sealedDataKey.sealed);
      const sealedBytes = fromBase64Url(entry.sealedDataKey.sealed);
      expect(sealedBytes).toHaveLength(96);
      const sealedHash = sodium.crypto_generichash(32, sealedBytes, null);
      expect(hex(sealedHash)).toBe(entry.sealedHashHex);
      const message = tuple([
        'egide-data-key-wrap', u8(2), entry.entity, uuidToBytes(entry.recordId), uuidToBytes(entry.keyId),
        uuidToBytes(entry.sealedDataKey.scopeId), u32be(entry.sealedDataKey.generation), uuidToBytes(entry.writerUserId), sealedHash,
      ]);
      expect(hex(message)).toBe(entry.messageHex);
      const writer = sodium.crypto_sign_seed_keypair(fromHex(entry.writer.signSeedHex));
      expect([hex(writer.publicKey), entry.writer.userId]).toEqual([entry.writer.signPublicKeyHex, entry.writerUserId]);
      expect(hex(sodium.crypto_sign_detached(message, writer.privateKey))).toBe(entry.signatureHex);
      expect(entry.signedWrap).toEqual({
        ...entry.sealedDataKey, entity: entry.entity, recordId: entry.recordId, writerUserId: entry.writerUserId, signature: b64(fromHex(entry.signatureHex)),
      });

      const dataKey = { keyId: entry.keyId, key: fromHex(entry.dataKeyHex) };
      expect(sealDataKeyToTeam(dataKey, team, fixedRandomSource([fromHex(entry.ephemeralSeedHex)]))).toEqual(entry.sealedDataKey);
      const binding = { entity: entry.entity, recordId: entry.recordId, writerUserId: entry.writerUserId };
      expect(signDataKeyWrap(entry.sealedDataKey, binding, writer.privateKey)).toEqual(entry.signedWrap);
      expect(hex(encodeDataKeyWrapMessage(entry.signedWrap))).toBe(entry.messageHex);
      expect(() => verifyDataKeyWrap(entry.signedWrap, writer.publicKey)).not.toThrow();
      expect(() => verifyDataKeyWrapOnServer(entry.signedWrap, writer.publicKey)).not.toThrow();
      expect(() => verifyDataKeyWrap({ ...entry.signedWrap, recordId: entry.sealedDataKey.scopeId }, writer.publicKey)).toThrow(BadSignatureError);
      expect(() => verifyDataKeyWrap({ ...entry.sealedDataKey, ...binding, writerUserId: null, signature: null }, writer.publicKey)).toThrow(UnsignedWrapError);
      expect(openSealedDataKey(entry.signedWrap, team)).toEqual(dataKey);
    }
    // Entry 0 is the worked case's wrap: envelope 4's key, for the case of signature 3, to the caseBlindIndexes team.
    const [caseWrap] = vectors.wrapSignatures;
    expect([caseWrap.keyId, caseWrap.dataKeyHex, caseWrap.recordId]).toEqual([vectors.envelopes[4].keyId, vectors.envelopes[4].keyHex, vectors.envelopes[4].recordId]);
    expect([caseWrap.writerUserId, caseWrap.writer.signPublicKeyHex]).toEqual([vectors.signatures[3].authorUserId, vectors.signatures[3].signPublicKeyHex]);
    expect([caseWrap.teamSeedHex, caseWrap.sealedDataKey.scopeId]).toEqual([vectors.caseBlindIndexes[0].team.seedHex, vectors.caseBlindIndexes[0].team.scopeId]);
  });

  it('recordActions: shred and transfer signed by their actor', () => {
    expect(vectors.recordActions.map((entry) => entry.action)).toEqual(['shred', 'transfer', 'shred']);
    for (const entry of vectors.recordActions) {
      expect(entry.confirmation).toMatch(entry.action === 'shred' ? /^SHRED [A-Z]{2}-\d{4}-\d{4,}$/ : /^TRANSFER [A-Z]{2}-\d{4}-\d{4,} TO [0-9a-f-]{36}$/);
      expect(hex(sodium.from_string(entry.confirmation))).toBe(entry.confirmationHex);
      const message = tuple([
        'egide-record-action', u8(2), entry.action, entry.entity, uuidToBytes(entry.recordId), u32be(entry.version),
        uuidToBytes(entry.actorUserId), fromHex(entry.confirmationHex),
      ]);
      expect(hex(message)).toBe(entry.messageHex);
      const actor = sodium.crypto_sign_seed_keypair(fromHex(entry.actor.signSeedHex));
      expect([hex(actor.publicKey), entry.actor.userId]).toEqual([entry.actor.signPublicKeyHex, entry.actorUserId]);
      expect(hex(sodium.crypto_sign_detached(message, actor.privateKey))).toBe(entry.signatureHex);
      expect(b64(fromHex(entry.signatureHex))).toBe(entry.signature);

      const action = {
        action: entry.action, entity: entry.entity, recordId: entry.recordId, version: entry.version,
        actorUserId: entry.actorUserId, confirmation: entry.confirmation,
      };
      expect(hex(encodeRecordActionMessage(action))).toBe(entry.messageHex);
      expect(signRecordAction(action, actor.privateKey)).toBe(entry.signature);
      expect(() => verifyRecordActionOnServer(action, entry.signature, actor.publicKey)).not.toThrow();
      expect(() => verifyRecordActionOnServer({ ...action, version: action.version + 1 }, entry.signature, actor.publicKey)).toThrow(BadSignatureError);
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
          remainingMembers: members.map((m) => ({ userId: m.userId, boxPublicKey: m.keys.boxPublicKey, signPublicKey: m.keys.signPublicKey })),
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
      // Every new wrap keeps its record and is signed by the rotator (§5.13).
      for (const [k, wrap] of entry.resealedDataKeys.entries()) {
        expect([wrap.entity, wrap.recordId, wrap.writerUserId]).toEqual([entry.sealedBefore[k].entity, entry.sealedBefore[k].recordId, entry.rotator.userId]);
        const message = tuple([
          'egide-data-key-wrap', u8(2), wrap.entity, uuidToBytes(wrap.recordId), uuidToBytes(wrap.keyId), uuidToBytes(wrap.scopeId),
          u32be(wrap.generation), uuidToBytes(wrap.writerUserId), sodium.crypto_generichash(32, fromBase64Url(wrap.sealed), null),
        ]);
        expect(b64(sodium.crypto_sign_detached(message, rotator.signSecretKey))).toBe(wrap.signature);
        expect(wrap.generation).toBe(2);
      }
      for (const grant of entry.grants) expect(grant.version).toBe(2);
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
