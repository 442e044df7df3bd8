/**
 * Generates test/vectors/protocol-v1.json, the published test vectors of the Egide
 * protocol, from fixed inputs: every seed, key, salt and nonce is
 * BLAKE2b(length, "egide-protocol-v1-vectors/" + label), and the library's injected
 * RandomSource hands those bytes out in the documented order. Running it twice gives the
 * same file. Each entry carries its intermediate bytes so that an independent
 * implementation can find the first step where it disagrees.
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
  encodeHistoryLinkAssociatedData,
  encodeRevisionSignatureMessage,
  encodeSeedWrapAssociatedData,
  encodeTeamKeyGrantMessage,
  fromBase64Url,
  hashEnvelopeList,
  normaliseBlindIndexValue,
  readyCrypto,
  toBase64Url,
  toHex,
  userFingerprintDigest,
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
  signRevision,
  splitPasswordKey,
  userKeyPairsFingerprint,
  wrapUserSeed,
} from '../src/client/crypto';

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

const ENVELOPE_CASES: { location: FieldLocation; plaintext: JsonValue }[] = [
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
];

function envelopeVectors() {
  return ENVELOPE_CASES.map(({ location, plaintext }, i) => {
    const key = vectorBytes(`envelope/${i}/key`, 32);
    const keyId = vectorUuid(`envelope/${i}/key-id`);
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
    { userId: recipient.userId, boxPublicKey: recipient.keys.boxPublicKey },
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

function rotationVectors() {
  const rotator = member('rotation/0/rotator');
  const remaining = member('rotation/0/remaining');
  const previous = deriveTeamKeys(vectorBytes('rotation/0/previous-seed', 32), vectorUuid('rotation/0/scope'), 1);
  const dataKeys = [0, 1].map((k) => ({
    keyId: vectorUuid(`rotation/0/data-key/${k}/id`),
    key: vectorBytes(`rotation/0/data-key/${k}/key`, 32),
  }));
  const sealedBefore = dataKeys.map((dataKey, k) =>
    sealDataKeyToTeam(dataKey, previous, fixedRandomSource([vectorBytes(`rotation/0/sealed-before/${k}`, 32)])),
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
      remainingMembers: members.map((m) => ({ userId: m.userId, boxPublicKey: m.keys.boxPublicKey })),
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
    version: 1,
    description:
      'Egide protocol v1 test vectors. All "random" inputs are BLAKE2b(len, "egide-protocol-v1-vectors/" + label); see docs/protocol.md §Test vectors.',
    kdf: kdfVectors(),
    recoveryKeys: recoveryKeyVectors(),
    userKeys: userKeyVectors(),
    seedWraps: seedWrapVectors(),
    envelopes,
    sealedKeys: sealedKeyVectors(),
    signatures: signatureVectors(envelopes),
    blindIndexes: blindIndexVectors(),
    grants: grantVectors(),
    rotation: rotationVectors(),
  };
}

export type ProtocolVectors = Awaited<ReturnType<typeof buildProtocolVectors>>;

export const DEFAULT_VECTORS_PATH = resolve(__dirname, '..', '..', 'test', 'vectors', 'protocol-v1.json');

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
