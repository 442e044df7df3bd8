/**
 * Generates test/vectors/protocol-v2.json, the published test vectors of the Egide
 * protocol (version 2), from fixed inputs: every seed, key, salt and nonce is
 * BLAKE2b(length, "egide-protocol-v1-vectors/" + label), and the library's injected
 * RandomSource hands those bytes out in the documented order. Running it twice gives the
 * same file. The label prefix has kept its version-1 name on purpose: an entry whose
 * layout did not change in version 2 keeps its bytes, so an implementation of version 1
 * can see at a glance what still holds. Each entry carries its intermediate bytes so that
 * an independent implementation can find the first step where it disagrees.
 *
 * Run: npx nest build && node dist/scripts/generate-protocol-vectors.js [output path]
 * This script must never be used to make real keys: its "randomness" is public.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import sodium from 'libsodium-wrappers-sumo';
import {
  FieldLocation,
  KdfContext,
  KdfParameters,
  PasswordSubkey,
  RecoverySubkey,
  RevisionSignaturePayload,
  TeamSeedSubkey,
  UserSeedSubkey,
  encodeEnvelopeList,
  LEGACY_TEAM_GRANT_VERSION,
  RecordAction,
  TeamKeyGrant,
  UnsignedTeamKeyGrant,
  encodeDataKeyWrapMessage,
  encodeHistoryLinkAssociatedData,
  encodeLengthPrefixedTuple,
  encodeRecordActionMessage,
  encodeRevisionSignatureMessage,
  encodeSeedWrapAssociatedData,
  encodeTeamKeyGrantMessage,
  fromBase64Url,
  hashEnvelopeList,
  normaliseBlindIndexValue,
  readyCrypto,
  toBase64Url,
  teamFingerprintDigest,
  toHex,
  u32be,
  u8,
  userFingerprintDigest,
  uuidToBytes,
  BlindIndexValueKind,
  SeedWrapPurpose,
} from '../src/crypto';
import {
  JsonValue,
  blindIndexOfNormalised,
  deriveBlindIndexFieldKey,
  derivePasswordKey,
  deriveRecoverySecrets,
  deriveTeamKeys,
  deriveUserKeyPairs,
  deriveUserSubSeeds,
  fixedRandomSource,
  formatRecoveryKey,
  grantTeamSeed,
  randomUuid,
  rotateTeam,
  sealDataKeyToTeam,
  sealFieldTraced,
  sealToPublicKeyTraced,
  signDataKeyWrap,
  signRecordAction,
  signRevision,
  splitPasswordKey,
  teamKeysFingerprint,
  userKeyPairsFingerprint,
  wrapUserSeed,
} from '../src/client/crypto';
import { caseBlindIndexes } from '../src/client/case-flow';

export const VECTOR_LABEL_PREFIX = 'egide-protocol-v1-vectors/';

/** The fixed "random" bytes of the vectors: public, reproducible, never a real key. */
export function vectorBytes(label: string, length: number): Uint8Array {
  return sodium.crypto_generichash(length, sodium.from_string(VECTOR_LABEL_PREFIX + label), null);
}

function vectorUuid(label: string): string {
  return randomUuid(fixedRandomSource([vectorBytes(label, 16)]));
}

const FLOOR_MEMLIMIT = 64 * 1024 * 1024;

function kdfVectors() {
  const cases: { password: string; opslimit: number; memlimit: number }[] = [
    { password: 'correct horse battery staple', opslimit: 3, memlimit: FLOOR_MEMLIMIT },
    { password: 'Pässwörd mit Ümlauten — 密码', opslimit: 3, memlimit: FLOOR_MEMLIMIT },
    { password: 'x', opslimit: 4, memlimit: FLOOR_MEMLIMIT },
  ];
  return cases.map((input, i) => {
    const salt = vectorBytes(`kdf/${i}/salt`, 16);
    const params: KdfParameters = {
      algorithm: 'argon2id13',
      salt: toBase64Url(salt),
      opslimit: input.opslimit,
      memlimit: input.memlimit,
    };
    const passwordKey = derivePasswordKey(input.password, params);
    const { kek, authKey } = splitPasswordKey(passwordKey);
    return {
      password: input.password,
      passwordNfkcHex: toHex(sodium.from_string(input.password.normalize('NFKC'))),
      algorithm: 'argon2id13',
      saltHex: toHex(salt),
      opslimit: input.opslimit,
      memlimit: input.memlimit,
      passwordKeyHex: toHex(passwordKey),
      kek: { context: KdfContext.PasswordKey, subkeyId: PasswordSubkey.Kek, hex: toHex(kek) },
      authKey: { context: KdfContext.PasswordKey, subkeyId: PasswordSubkey.AuthKey, hex: toHex(authKey) },
    };
  });
}

function recoveryKeyVectors() {
  return [0, 1, 2].map((i) => {
    const recoveryKey = vectorBytes(`recovery/${i}/key`, 32);
    const secrets = deriveRecoverySecrets(recoveryKey);
    return {
      recoveryKeyHex: toHex(recoveryKey),
      formatted: formatRecoveryKey(recoveryKey),
      wrappingKey: { context: KdfContext.RecoveryKey, subkeyId: RecoverySubkey.WrappingKey, hex: toHex(secrets.wrappingKey) },
      authKey: { context: KdfContext.RecoveryKey, subkeyId: RecoverySubkey.AuthKey, hex: toHex(secrets.authKey) },
    };
  });
}

function userKeyVectors() {
  return [0, 1, 2].map((i) => {
    const seed = vectorBytes(`user/${i}/seed`, 32);
    const subSeeds = deriveUserSubSeeds(seed);
    const keys = deriveUserKeyPairs(seed);
    return {
      seedHex: toHex(seed),
      boxSeed: { context: KdfContext.UserSeed, subkeyId: UserSeedSubkey.BoxSeed, hex: toHex(subSeeds.boxSeed) },
      signSeed: { context: KdfContext.UserSeed, subkeyId: UserSeedSubkey.SignSeed, hex: toHex(subSeeds.signSeed) },
      boxPublicKeyHex: toHex(keys.boxPublicKey),
      signPublicKeyHex: toHex(keys.signPublicKey),
      fingerprintDigestHex: toHex(userFingerprintDigest(keys.boxPublicKey, keys.signPublicKey)),
      fingerprint: userKeyPairsFingerprint(keys),
    };
  });
}

function seedWrapVectors() {
  const purposes: SeedWrapPurpose[] = ['password', 'recovery', 'password'];
  return purposes.map((purpose, i) => {
    const seed = vectorBytes(`user/${i}/seed`, 32);
    const wrappingKey = vectorBytes(`seed-wrap/${i}/wrapping-key`, 32);
    const nonce = vectorBytes(`seed-wrap/${i}/nonce`, 24);
    const bundle = wrapUserSeed(seed, wrappingKey, purpose, fixedRandomSource([nonce]));
    return {
      seedHex: toHex(seed),
      wrappingKeyHex: toHex(wrappingKey),
      purpose,
      nonceHex: toHex(nonce),
      adHex: toHex(encodeSeedWrapAssociatedData(purpose)),
      bundle,
    };
  });
}

/** The worked case of the vectors: its ids, its identity and one timeline event. */
const CASE_ID = 'a3c1f0d2-5b6e-4f7a-8c9d-0e1f2a3b4c5d';
const CASE_EVENT_ID = 'b7e2d4c6-1a3f-4b5d-9e8c-7f6a5b4c3d2e';
/** A full `identity` (docs/schemas/identity.schema.json): one alias repeats the full name, one passport number repeats another, one alias has nothing to index. */
export const CASE_IDENTITY = {
  fullName: 'José Pérez García',
  aliases: ['Pepe Pérez', 'JOSE  PEREZ GARCIA', ' \u200b\u00ad '],
  birthDate: '1979-06-08',
  gender: 'male',
  nationality: 'Colombian',
  passportNumbers: ['AX 552-0931', 'ax5520931', 'PE 0042 17', '-- / --'],
};
/** A member event's `body` as the SDK and the CLI write it (docs/schemas/case_event.body.schema.json). */
const CASE_EVENT_BODY = {
  occurredOn: '2026-06-02',
  summary: 'Followed from the court registry to the bus stop by two men on a motorbike.',
};

const ENVELOPE_CASES: { location: FieldLocation; plaintext: JsonValue; keyOf?: number }[] = [
  {
    location: { entity: 'case', recordId: '6f1c2b0e-8a44-4c1e-9d3a-2b7e5f0c9a11', field: 'defender_name' },
    plaintext: 'Ana María Núñez',
  },
  {
    location: { entity: 'case', recordId: '6f1c2b0e-8a44-4c1e-9d3a-2b7e5f0c9a11', field: 'narrative' },
    plaintext: {
      summary: 'Detained for 48 hours after documenting a forced eviction; released without charge.',
      threats: ['surveillance', 'judicial harassment'],
      witnesses: 2,
      corroborated: true,
    },
  },
  {
    location: { entity: 'visa_request', recordId: '0c7d7a55-3c38-4f43-a0a6-0a8c5a1f1d22', field: 'passport_number' },
    plaintext: null,
  },
  {
    location: { entity: 'placement', recordId: 'd9e8f7a6-b5c4-4d3e-8f2a-1b0c9d8e7f6a', field: 'family' },
    plaintext: [{ relation: 'daughter', age: 7 }, { relation: 'spouse', name: 'Ζωή' }],
  },
  { location: { entity: 'case', recordId: CASE_ID, field: 'identity' }, plaintext: CASE_IDENTITY },
  // A timeline event: entity case_event, record id = the event id, field body, under the case's data key.
  { location: { entity: 'case_event', recordId: CASE_EVENT_ID, field: 'body' }, plaintext: CASE_EVENT_BODY, keyOf: 4 },
];

function envelopeVectors() {
  return ENVELOPE_CASES.map(({ location, plaintext, keyOf }, i) => {
    const key = vectorBytes(`envelope/${keyOf ?? i}/key`, 32);
    const keyId = vectorUuid(`envelope/${keyOf ?? i}/key-id`);
    const nonce = vectorBytes(`envelope/${i}/nonce`, 24);
    const trace = sealFieldTraced(plaintext, location, { keyId, key }, fixedRandomSource([nonce]));
    return {
      keyHex: toHex(key),
      keyId,
      entity: location.entity,
      recordId: location.recordId,
      field: location.field,
      nonceHex: toHex(nonce),
      plaintext,
      plaintextJson: JSON.stringify(plaintext),
      paddedPlaintextHex: toHex(trace.paddedPlaintext),
      adHex: toHex(trace.associatedData),
      envelope: trace.envelope,
    };
  });
}

function sealedKeyVectors() {
  return [0, 1, 2].map((i) => {
    const scopeId = vectorUuid(`sealed-key/${i}/scope`);
    const team = deriveTeamKeys(vectorBytes(`sealed-key/${i}/team-seed`, 32), scopeId, i + 1);
    const dataKey = { keyId: vectorUuid(`sealed-key/${i}/key-id`), key: vectorBytes(`sealed-key/${i}/data-key`, 32) };
    const ephemeralSeed = vectorBytes(`sealed-key/${i}/ephemeral-seed`, 32);
    const opened = new Uint8Array([...fromHexBytes(dataKey.keyId.replace(/-/g, '')), ...dataKey.key]);
    const trace = sealToPublicKeyTraced(opened, team.boxPublicKey, fixedRandomSource([ephemeralSeed]));
    const sealed = sealDataKeyToTeam(dataKey, team, fixedRandomSource([ephemeralSeed]));
    return {
      teamSeedHex: toHex(team.seed),
      scopeId,
      generation: team.generation,
      recipientSecretKeyHex: toHex(team.boxSecretKey),
      recipientPublicKeyHex: toHex(team.boxPublicKey),
      keyId: dataKey.keyId,
      dataKeyHex: toHex(dataKey.key),
      ephemeralSeedHex: toHex(ephemeralSeed),
      ephemeralPublicKeyHex: toHex(trace.ephemeralPublicKey),
      nonceHex: toHex(trace.nonce),
      openedHex: toHex(opened),
      sealed: sealed.sealed,
      sealedDataKey: sealed,
    };
  });
}

function fromHexBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

function signatureVectors(envelopes: ReturnType<typeof envelopeVectors>) {
  const payloads: RevisionSignaturePayload[] = [
    {
      entity: 'case',
      recordId: envelopes[0].recordId,
      version: 1,
      authorUserId: vectorUuid('signature/0/author'),
      envelopes: [
        { field: envelopes[1].field, envelope: envelopes[1].envelope },
        { field: envelopes[0].field, envelope: envelopes[0].envelope },
      ],
    },
    {
      entity: 'visa_request',
      recordId: envelopes[2].recordId,
      version: 7,
      authorUserId: vectorUuid('signature/1/author'),
      envelopes: [{ field: envelopes[2].field, envelope: envelopes[2].envelope }],
    },
    {
      entity: 'placement',
      recordId: envelopes[3].recordId,
      version: 2,
      authorUserId: vectorUuid('signature/2/author'),
      envelopes: [],
    },
    {
      entity: 'case',
      recordId: envelopes[4].recordId,
      version: 1,
      authorUserId: vectorUuid('signature/3/author'),
      envelopes: [{ field: envelopes[4].field, envelope: envelopes[4].envelope }],
    },
    {
      entity: 'case_event',
      recordId: envelopes[5].recordId,
      version: 1,
      authorUserId: vectorUuid('signature/4/author'),
      envelopes: [{ field: envelopes[5].field, envelope: envelopes[5].envelope }],
    },
  ];
  return payloads.map((payload, i) => {
    const signSeed = vectorBytes(`signature/${i}/sign-seed`, 32);
    const keyPair = sodium.crypto_sign_seed_keypair(signSeed);
    const signed = signRevision(payload, keyPair.privateKey);
    return {
      signSeedHex: toHex(signSeed),
      signPublicKeyHex: toHex(keyPair.publicKey),
      entity: payload.entity,
      recordId: payload.recordId,
      version: payload.version,
      authorUserId: payload.authorUserId,
      envelopes: payload.envelopes,
      envelopeListHex: toHex(encodeEnvelopeList(payload.envelopes)),
      envelopeListHashHex: toHex(hashEnvelopeList(payload.envelopes)),
      messageHex: toHex(encodeRevisionSignatureMessage(payload)),
      signatureHex: toHex(fromBase64Url(signed.signature)),
    };
  });
}

function blindIndexVectors() {
  const cases: { fieldId: string; kind: BlindIndexValueKind; raw: string }[] = [
    { fieldId: 'defender_name', kind: 'text', raw: '  José   PÉREZ\u00a0García ' },
    { fieldId: 'defender_name', kind: 'text', raw: 'Ｓｔｒａßｅ Ǆemal\u200b Ñandú' },
    { fieldId: 'passport_number', kind: 'passport', raw: 'ab 12-345/678' },
    { fieldId: 'passport_number', kind: 'passport', raw: 'Ｐ０１２３４５６７' },
  ];
  return cases.map((input, i) => {
    const teamBlindIndexKey = vectorBytes(`blind-index/${i}/team-key`, 32);
    const key = deriveBlindIndexFieldKey(teamBlindIndexKey, input.fieldId);
    const normalised = normaliseBlindIndexValue(input.raw, input.kind);
    const index = blindIndexOfNormalised(normalised, key);
    return {
      teamBlindIndexKeyHex: toHex(teamBlindIndexKey),
      fieldId: input.fieldId,
      keyHex: toHex(key),
      kind: input.kind,
      raw: input.raw,
      normalised,
      normalisedHex: toHex(sodium.from_string(normalised)),
      indexHex: toHex(fromBase64Url(index)),
      index,
    };
  });
}

/** The coordinators' network's fixed scope id (src/common/authz/roles.ts). */
const NETWORK_SCOPE_ID = '00000000-0000-4000-8000-00000000c0de';

function teamFingerprintVectors() {
  const scopes = [
    { scopeId: vectorUuid('team-fingerprint/0/scope'), generation: 1 },
    { scopeId: vectorUuid('team-fingerprint/1/scope'), generation: 2 },
    { scopeId: NETWORK_SCOPE_ID, generation: 1 },
  ];
  return scopes.map(({ scopeId, generation }, i) => {
    const team = deriveTeamKeys(vectorBytes(`team-fingerprint/${i}/seed`, 32), scopeId, generation);
    return {
      scopeId,
      generation,
      teamSeedHex: toHex(team.seed),
      teamBoxPublicKeyHex: toHex(team.boxPublicKey),
      messageHex: toHex(
        encodeLengthPrefixedTuple(['egide-fingerprint', u8(1), 'team', uuidToBytes(scopeId), u32be(generation), team.boxPublicKey]),
      ),
      fingerprintDigestHex: toHex(teamFingerprintDigest(scopeId, generation, team.boxPublicKey)),
      fingerprint: teamKeysFingerprint(team),
    };
  });
}

/** Where each indexed value of a case comes from, in the order the client takes them (§5.9). */
function caseIndexSources(identity: typeof CASE_IDENTITY) {
  return [
    { source: 'fullName', fieldId: 'name', kind: 'text' as const, raw: identity.fullName },
    ...identity.aliases.map((raw, i) => ({ source: `aliases.${i}`, fieldId: 'name', kind: 'text' as const, raw })),
    ...identity.passportNumbers.map((raw, i) => ({ source: `passportNumbers.${i}`, fieldId: 'passport', kind: 'passport' as const, raw })),
  ];
}

function caseBlindIndexVectors() {
  const team = deriveTeamKeys(vectorBytes('case-blind-index/0/team-seed', 32), vectorUuid('case-blind-index/0/scope'), 1);
  const fieldKeys = (['name', 'passport'] as const).map((fieldId) => ({
    fieldId,
    messageHex: toHex(encodeLengthPrefixedTuple(['egide-blind-index', u8(1), fieldId])),
    keyHex: toHex(deriveBlindIndexFieldKey(team.blindIndexKey, fieldId)),
  }));
  const seen = new Set<string>();
  const values = caseIndexSources(CASE_IDENTITY).map((entry) => {
    const normalised = normaliseBlindIndexValue(entry.raw, entry.kind);
    const common = { ...entry, normalised, normalisedHex: toHex(sodium.from_string(normalised)) };
    if (normalised === '') return { ...common, indexHex: null, index: null, outcome: 'empty' };
    const index = blindIndexOfNormalised(normalised, deriveBlindIndexFieldKey(team.blindIndexKey, entry.fieldId));
    const outcome = seen.has(`${entry.fieldId}:${index}`) ? 'duplicate' : 'indexed';
    seen.add(`${entry.fieldId}:${index}`);
    return { ...common, indexHex: toHex(fromBase64Url(index)), index, outcome };
  });
  return [
    {
      team: teamKeysJson(team),
      fieldKeys,
      identity: CASE_IDENTITY,
      values,
      blindIndexes: caseBlindIndexes(CASE_IDENTITY, team),
    },
  ];
}

function teamKeysJson(team: ReturnType<typeof deriveTeamKeys>) {
  return {
    scopeId: team.scopeId,
    generation: team.generation,
    seedHex: toHex(team.seed),
    boxSeed: {
      context: KdfContext.TeamSeed,
      subkeyId: TeamSeedSubkey.BoxSeed,
      hex: toHex(sodium.crypto_kdf_derive_from_key(32, TeamSeedSubkey.BoxSeed, KdfContext.TeamSeed, team.seed)),
    },
    boxSecretKeyHex: toHex(team.boxSecretKey),
    boxPublicKeyHex: toHex(team.boxPublicKey),
    blindIndexKey: { context: KdfContext.TeamSeed, subkeyId: TeamSeedSubkey.BlindIndexKey, hex: toHex(team.blindIndexKey) },
    historyKey: { context: KdfContext.TeamSeed, subkeyId: TeamSeedSubkey.HistoryKey, hex: toHex(team.historyKey) },
  };
}

function member(label: string) {
  const seed = vectorBytes(`${label}/user-seed`, 32);
  const keys = deriveUserKeyPairs(seed);
  return { userId: vectorUuid(`${label}/user-id`), seed, keys };
}

function memberJson(m: ReturnType<typeof member>) {
  return {
    userId: m.userId,
    userSeedHex: toHex(m.seed),
    boxPublicKeyHex: toHex(m.keys.boxPublicKey),
    signPublicKeyHex: toHex(m.keys.signPublicKey),
  };
}

function grantVectors() {
  const granter = member('grant/0/granter');
  const recipient = member('grant/0/recipient');
  const team = deriveTeamKeys(vectorBytes('grant/0/team-seed', 32), vectorUuid('grant/0/scope'), 1);
  const ephemeralSeed = vectorBytes('grant/0/ephemeral-seed', 32);
  const trace = sealToPublicKeyTraced(team.seed, recipient.keys.boxPublicKey, fixedRandomSource([ephemeralSeed]));
  const grant = grantTeamSeed(
    team,
    { userId: recipient.userId, boxPublicKey: recipient.keys.boxPublicKey, signPublicKey: recipient.keys.signPublicKey },
    { userId: granter.userId, signSecretKey: granter.keys.signSecretKey },
    fixedRandomSource([ephemeralSeed]),
  );
  return [
    {
      granter: memberJson(granter),
      recipient: memberJson(recipient),
      team: teamKeysJson(team),
      ephemeralSeedHex: toHex(ephemeralSeed),
      ephemeralPublicKeyHex: toHex(trace.ephemeralPublicKey),
      sealNonceHex: toHex(trace.nonce),
      messageHex: toHex(encodeTeamKeyGrantMessage(grant)),
      grant,
    },
  ];
}

/**
 * A version-1 grant as protocol 1 wrote it (no recipientSignPublicKey, u8(1) in the
 * message): the same granter, recipient, team and sealed seed as the version-2 example,
 * so the two differ only where the versions do. Readers still open it; no server accepts
 * a new one, and it vouches for no signing key.
 */
function legacyGrantVectors() {
  const granter = member('grant/0/granter');
  const recipient = member('grant/0/recipient');
  const team = deriveTeamKeys(vectorBytes('grant/0/team-seed', 32), vectorUuid('grant/0/scope'), 1);
  const ephemeralSeed = vectorBytes('grant/0/ephemeral-seed', 32);
  const sealed = sealToPublicKeyTraced(team.seed, recipient.keys.boxPublicKey, fixedRandomSource([ephemeralSeed])).sealed;
  const unsigned: UnsignedTeamKeyGrant = {
    version: LEGACY_TEAM_GRANT_VERSION,
    scopeId: team.scopeId,
    generation: team.generation,
    recipientUserId: recipient.userId,
    recipientBoxPublicKey: toBase64Url(recipient.keys.boxPublicKey),
    granterUserId: granter.userId,
    teamBoxPublicKey: toBase64Url(team.boxPublicKey),
    sealedTeamSeed: toBase64Url(sealed),
  };
  const message = encodeTeamKeyGrantMessage(unsigned);
  const grant: TeamKeyGrant = { ...unsigned, signature: toBase64Url(sodium.crypto_sign_detached(message, granter.keys.signSecretKey)) };
  return [
    {
      granter: memberJson(granter),
      recipient: memberJson(recipient),
      team: teamKeysJson(team),
      ephemeralSeedHex: toHex(ephemeralSeed),
      messageHex: toHex(message),
      grant,
    },
  ];
}

/** A signer known by its sign seed only (revision authors, wrap writers, actors). */
function signer(userLabel: string, seedLabel: string) {
  const signSeed = vectorBytes(seedLabel, 32);
  const keyPair = sodium.crypto_sign_seed_keypair(signSeed);
  return { userId: vectorUuid(userLabel), signSeed, keyPair };
}

function signerJson(s: ReturnType<typeof signer>) {
  return { userId: s.userId, signSeedHex: toHex(s.signSeed), signPublicKeyHex: toHex(s.keyPair.publicKey) };
}

/**
 * Signed data-key wraps (§5.13). Entry 0 is the wrap of the worked case: envelope 4's data
 * key sealed to the caseBlindIndexes embassy team, written by the author of signature 3.
 * Entries 1 and 2 sign the sealed keys of sealedKeys 1 and 2 for a case and a visa request.
 */
function wrapSignatureVectors(envelopes: ReturnType<typeof envelopeVectors>) {
  const inputs = [
    {
      team: deriveTeamKeys(vectorBytes('case-blind-index/0/team-seed', 32), vectorUuid('case-blind-index/0/scope'), 1),
      dataKey: { keyId: envelopes[4].keyId, key: fromHexBytes(envelopes[4].keyHex) },
      ephemeralSeed: vectorBytes('wrap-signature/0/ephemeral-seed', 32),
      entity: 'case',
      recordId: envelopes[4].recordId,
      writer: signer('signature/3/author', 'signature/3/sign-seed'),
    },
    ...[1, 2].map((i) => ({
      team: deriveTeamKeys(vectorBytes(`sealed-key/${i}/team-seed`, 32), vectorUuid(`sealed-key/${i}/scope`), i + 1),
      dataKey: { keyId: vectorUuid(`sealed-key/${i}/key-id`), key: vectorBytes(`sealed-key/${i}/data-key`, 32) },
      ephemeralSeed: vectorBytes(`sealed-key/${i}/ephemeral-seed`, 32),
      entity: i === 1 ? 'case' : 'visa_request',
      recordId: i === 1 ? vectorUuid('wrap-signature/1/record') : envelopes[2].recordId,
      writer: signer(`wrap-signature/${i}/writer`, `wrap-signature/${i}/sign-seed`),
    })),
  ];
  return inputs.map((input) => {
    const sealedDataKey = sealDataKeyToTeam(input.dataKey, input.team, fixedRandomSource([input.ephemeralSeed]));
    const binding = { entity: input.entity, recordId: input.recordId, writerUserId: input.writer.userId };
    const signedWrap = signDataKeyWrap(sealedDataKey, binding, input.writer.keyPair.privateKey);
    return {
      writer: signerJson(input.writer),
      teamSeedHex: toHex(input.team.seed),
      teamBoxPublicKeyHex: toHex(input.team.boxPublicKey),
      keyId: input.dataKey.keyId,
      dataKeyHex: toHex(input.dataKey.key),
      ephemeralSeedHex: toHex(input.ephemeralSeed),
      sealedDataKey,
      ...binding,
      sealedHashHex: toHex(sodium.crypto_generichash(32, fromBase64Url(sealedDataKey.sealed), null)),
      messageHex: toHex(encodeDataKeyWrapMessage({ ...sealedDataKey, ...binding })),
      signatureHex: toHex(fromBase64Url(signedWrap.signature)),
      signedWrap,
    };
  });
}

/** Signed record actions (§5.14): a shred and a transfer of the worked case, and a shred of another. */
function recordActionVectors(envelopes: ReturnType<typeof envelopeVectors>) {
  const target = vectorUuid('record-action/1/target-embassy');
  const actions: (Omit<RecordAction, 'actorUserId'> & { actor: ReturnType<typeof signer> })[] = [
    {
      action: 'shred',
      entity: 'case',
      recordId: envelopes[4].recordId,
      version: 7,
      confirmation: 'SHRED KE-2026-0042',
      actor: signer('record-action/0/actor', 'record-action/0/sign-seed'),
    },
    {
      action: 'transfer',
      entity: 'case',
      recordId: envelopes[4].recordId,
      version: 3,
      confirmation: `TRANSFER KE-2026-0042 TO ${target}`,
      actor: signer('record-action/1/actor', 'record-action/1/sign-seed'),
    },
    {
      action: 'shred',
      entity: 'case',
      recordId: vectorUuid('record-action/2/record'),
      version: 1,
      confirmation: 'SHRED CO-2026-10234',
      actor: signer('record-action/2/actor', 'record-action/2/sign-seed'),
    },
  ];
  return actions.map(({ actor, ...rest }) => {
    const action: RecordAction = { ...rest, actorUserId: actor.userId };
    const signature = signRecordAction(action, actor.keyPair.privateKey);
    return {
      actor: signerJson(actor),
      ...action,
      confirmationHex: toHex(sodium.from_string(action.confirmation)),
      messageHex: toHex(encodeRecordActionMessage(action)),
      signatureHex: toHex(fromBase64Url(signature)),
      signature,
    };
  });
}

function rotationVectors() {
  const rotator = member('rotation/0/rotator');
  const remaining = member('rotation/0/remaining');
  const previous = deriveTeamKeys(vectorBytes('rotation/0/previous-seed', 32), vectorUuid('rotation/0/scope'), 1);
  const dataKeys = [0, 1].map((k) => ({
    keyId: vectorUuid(`rotation/0/data-key/${k}/id`),
    key: vectorBytes(`rotation/0/data-key/${k}/key`, 32),
  }));
  // The wraps as the server serves them before the rotation: signed by their writer (here
  // the rotator), each naming its record; the rotation keeps entity and recordId.
  const sealedBefore = dataKeys.map((dataKey, k) =>
    signDataKeyWrap(
      sealDataKeyToTeam(dataKey, previous, fixedRandomSource([vectorBytes(`rotation/0/sealed-before/${k}`, 32)])),
      { entity: 'case', recordId: vectorUuid(`rotation/0/data-key/${k}/record`), writerUserId: rotator.userId },
      rotator.keys.signSecretKey,
    ),
  );
  const newSeed = vectorBytes('rotation/0/new-seed', 32);
  const resealEphemeralSeeds = dataKeys.map((_, k) => vectorBytes(`rotation/0/reseal/${k}/ephemeral-seed`, 32));
  const historyNonce = vectorBytes('rotation/0/history-nonce', 24);
  const members = [rotator, remaining];
  const grantEphemeralSeeds = members.map((_, m) => vectorBytes(`rotation/0/grant/${m}/ephemeral-seed`, 32));
  const rotation = rotateTeam(
    {
      current: previous,
      sealedDataKeys: sealedBefore,
      remainingMembers: members.map((m) => ({ userId: m.userId, boxPublicKey: m.keys.boxPublicKey, signPublicKey: m.keys.signPublicKey })),
      rotatedBy: { userId: rotator.userId, signSecretKey: rotator.keys.signSecretKey },
    },
    fixedRandomSource([newSeed, ...resealEphemeralSeeds, historyNonce, ...grantEphemeralSeeds]),
  );
  return [
    {
      rotator: memberJson(rotator),
      remainingMembers: members.map(memberJson),
      previous: teamKeysJson(previous),
      dataKeys: dataKeys.map((dataKey) => ({ keyId: dataKey.keyId, keyHex: toHex(dataKey.key) })),
      sealedBefore,
      randomDrawOrder: ['newSeed', 'resealEphemeralSeeds…', 'historyNonce', 'grantEphemeralSeeds…'],
      newSeedHex: toHex(newSeed),
      resealEphemeralSeedsHex: resealEphemeralSeeds.map(toHex),
      historyNonceHex: toHex(historyNonce),
      grantEphemeralSeedsHex: grantEphemeralSeeds.map(toHex),
      next: teamKeysJson(rotation.next),
      resealedDataKeys: rotation.resealedDataKeys,
      historyLinkAdHex: toHex(encodeHistoryLinkAssociatedData(previous.scopeId, 2, 1)),
      historyLink: rotation.historyLink,
      grants: rotation.grants,
    },
  ];
}

/** The whole vector file as an object (the spec compares it with the committed JSON). */
export async function buildProtocolVectors() {
  await readyCrypto();
  const envelopes = envelopeVectors();
  return {
    version: 2,
    description:
      'Egide protocol v2 test vectors. All "random" inputs are BLAKE2b(len, "egide-protocol-v1-vectors/" + label); see docs/protocol.md §12.',
    kdf: kdfVectors(),
    recoveryKeys: recoveryKeyVectors(),
    userKeys: userKeyVectors(),
    seedWraps: seedWrapVectors(),
    envelopes,
    sealedKeys: sealedKeyVectors(),
    signatures: signatureVectors(envelopes),
    blindIndexes: blindIndexVectors(),
    caseBlindIndexes: caseBlindIndexVectors(),
    teamFingerprints: teamFingerprintVectors(),
    wrapSignatures: wrapSignatureVectors(envelopes),
    recordActions: recordActionVectors(envelopes),
    grants: grantVectors(),
    legacyGrants: legacyGrantVectors(),
    rotation: rotationVectors(),
  };
}

export type ProtocolVectors = Awaited<ReturnType<typeof buildProtocolVectors>>;

export const DEFAULT_VECTORS_PATH = resolve(__dirname, '..', '..', 'test', 'vectors', 'protocol-v2.json');

async function main(): Promise<void> {
  const output = process.argv[2] ?? DEFAULT_VECTORS_PATH;
  const vectors = await buildProtocolVectors();
  writeFileSync(output, `${JSON.stringify(vectors, null, 2)}\n`);
  process.stdout.write(`wrote ${output}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
