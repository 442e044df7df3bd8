/**
 * The protocol's test vectors (test/vectors/protocol-v2.json, docs/protocol.md §12),
 * recomputed in a real headless Chromium through the SDK bundle (`npm run build:sdk`):
 * every entry of every list, through the same SDK functions the Node test
 * (test/vectors/protocol-vectors.spec.ts) checks "through the library", against the same
 * expected values. The page computes; the assertions are made here, so a difference
 * names the entry. What this proves beyond the Node test: the browser build — its
 * base64url, UTF-8, libsodium WASM and WebCrypto randomness — is byte for byte the
 * protocol.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ProtocolVectors } from '../../scripts/generate-protocol-vectors';
import { makeTempDir } from '../support/test-app';
import { openSdkPage, serveSdkPage, type SdkBrowser, type SdkPageServer, type SdkWindow } from './browser-harness';

const vectors = JSON.parse(readFileSync(join(__dirname, '..', 'vectors', 'protocol-v2.json'), 'utf8')) as ProtocolVectors;

let directory: string;
let pageServer: SdkPageServer;
let browser: SdkBrowser;

beforeAll(async () => {
  directory = makeTempDir('egide-browser-vectors-');
  pageServer = await serveSdkPage(directory);
  browser = await openSdkPage(pageServer.origin);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await pageServer?.close();
  rmSync(directory, { recursive: true, force: true });
});

/**
 * Runs in the page (Playwright sends its source): everything it uses comes from the SDK
 * bundle on `window.egide`, and it returns plain JSON (hex and base64url strings).
 */
async function recompute(sent: unknown) {
  // `unknown` in the signature: Playwright's argument types do not reach this deep.
  const input = sent as ProtocolVectors;
  const egide = (globalThis as unknown as SdkWindow).egide;
  await egide.readyCrypto();
  const { fromHex, toHex: hex, toBase64Url: b64, fromBase64Url, concatBytes, fixedRandomSource } = egide;
  // libsodium's Ed25519 secret key is seed ‖ public key (docs/protocol.md §2).
  const signSecretKey = (seedHex: string, publicKeyHex: string): Uint8Array => concatBytes([fromHex(seedHex), fromHex(publicKeyHex)]);
  const refusal = (operation: () => unknown): string => {
    try {
      operation();
      return 'accepted';
    } catch (error) {
      if (error instanceof egide.BadSignatureError) return 'BadSignatureError';
      if (error instanceof egide.UnsignedWrapError) return 'UnsignedWrapError';
      if (error instanceof egide.WrongKeyError) return 'WrongKeyError';
      if (error instanceof egide.MalformedInputError) return 'MalformedInputError';
      return `unexpected: ${String(error)}`;
    }
  };

  return {
    userAgent: (globalThis as unknown as { navigator: { userAgent: string } }).navigator.userAgent,
    kdf: input.kdf.map((entry) => {
      const params = { algorithm: 'argon2id13' as const, salt: b64(fromHex(entry.saltHex)), opslimit: entry.opslimit, memlimit: entry.memlimit };
      const split = egide.splitPasswordKey(egide.derivePasswordKey(entry.password, params));
      return { kek: hex(split.kek), authKey: hex(split.authKey) };
    }),
    recoveryKeys: input.recoveryKeys.map((entry) => {
      const secrets = egide.deriveRecoverySecrets(fromHex(entry.recoveryKeyHex));
      return {
        wrappingKey: hex(secrets.wrappingKey),
        authKey: hex(secrets.authKey),
        formatted: egide.formatRecoveryKey(fromHex(entry.recoveryKeyHex)),
        parsed: hex(egide.parseRecoveryKey(entry.formatted)),
        parsedLoosely: hex(egide.parseRecoveryKey(entry.formatted.toLowerCase().replace(/-/g, ' '))),
      };
    }),
    userKeys: input.userKeys.map((entry) => {
      const keys = egide.deriveUserKeyPairs(fromHex(entry.seedHex));
      return { box: hex(keys.boxPublicKey), sign: hex(keys.signPublicKey), fingerprint: egide.userKeyPairsFingerprint(keys) };
    }),
    seedWraps: input.seedWraps.map((entry) => ({
      bundle: egide.wrapUserSeed(fromHex(entry.seedHex), fromHex(entry.wrappingKeyHex), entry.purpose, fixedRandomSource([fromHex(entry.nonceHex)])),
      unwrapped: hex(egide.unwrapUserSeed(entry.bundle, fromHex(entry.wrappingKeyHex), entry.purpose)),
    })),
    envelopes: input.envelopes.map((entry) => {
      const location = { entity: entry.entity, recordId: entry.recordId, field: entry.field };
      const dataKey = { keyId: entry.keyId, key: fromHex(entry.keyHex) };
      const trace = egide.sealFieldTraced(entry.plaintext, location, dataKey, fixedRandomSource([fromHex(entry.nonceHex)]));
      return {
        envelope: trace.envelope,
        padded: hex(trace.paddedPlaintext),
        ad: hex(trace.associatedData),
        opened: egide.openField(entry.envelope, location, dataKey),
      };
    }),
    sealedKeys: input.sealedKeys.map((entry) => {
      const team = egide.deriveTeamKeys(fromHex(entry.teamSeedHex), entry.scopeId, entry.generation);
      const sealed = egide.sealDataKeyToTeam({ keyId: entry.keyId, key: fromHex(entry.dataKeyHex) }, team, fixedRandomSource([fromHex(entry.ephemeralSeedHex)]));
      const opened = egide.openSealedDataKey(entry.sealedDataKey, team);
      return { secretKey: hex(team.boxSecretKey), publicKey: hex(team.boxPublicKey), sealed, opened: { keyId: opened.keyId, key: hex(opened.key) } };
    }),
    signatures: input.signatures.map((entry) => {
      const payload = { entity: entry.entity, recordId: entry.recordId, version: entry.version, authorUserId: entry.authorUserId, envelopes: entry.envelopes };
      const signed = egide.signRevision(payload, signSecretKey(entry.signSeedHex, entry.signPublicKeyHex));
      return {
        message: hex(egide.encodeRevisionSignatureMessage(payload)),
        signature: hex(fromBase64Url(signed.signature)),
        verifies: refusal(() => egide.verifyRevision(signed, fromHex(entry.signPublicKeyHex))),
        otherVersion: refusal(() => egide.verifyRevision({ ...signed, version: signed.version + 1 }, fromHex(entry.signPublicKeyHex))),
      };
    }),
    blindIndexes: input.blindIndexes.map((entry) => ({
      fieldKey: hex(egide.deriveBlindIndexFieldKey(fromHex(entry.teamBlindIndexKeyHex), entry.fieldId)),
      normalised: egide.normaliseBlindIndexValue(entry.raw, entry.kind),
      index: egide.blindIndex(entry.raw, entry.kind, entry.fieldId, fromHex(entry.teamBlindIndexKeyHex)),
    })),
    caseBlindIndexes: input.caseBlindIndexes.map((entry) => {
      const team = egide.deriveTeamKeys(fromHex(entry.team.seedHex), entry.team.scopeId, entry.team.generation);
      return {
        teamBlindIndexKey: hex(team.blindIndexKey),
        fieldKeys: entry.fieldKeys.map((fieldKey) => hex(egide.deriveBlindIndexFieldKey(team.blindIndexKey, fieldKey.fieldId))),
        normalised: entry.values.map((value) => egide.normaliseBlindIndexValue(value.raw, value.kind)),
        sent: egide.caseBlindIndexes(entry.identity, team),
      };
    }),
    teamFingerprints: input.teamFingerprints.map((entry) => {
      const team = egide.deriveTeamKeys(fromHex(entry.teamSeedHex), entry.scopeId, entry.generation);
      return {
        publicKey: hex(team.boxPublicKey),
        fingerprint: egide.teamKeyFingerprint(entry.scopeId, entry.generation, team.boxPublicKey),
        ofKeys: egide.teamKeysFingerprint(team),
      };
    }),
    grants: input.grants.map((entry) => {
      const team = egide.deriveTeamKeys(fromHex(entry.team.seedHex), entry.team.scopeId, entry.team.generation);
      const granter = egide.deriveUserKeyPairs(fromHex(entry.granter.userSeedHex));
      const recipient = egide.deriveUserKeyPairs(fromHex(entry.recipient.userSeedHex));
      const grant = egide.grantTeamSeed(
        team,
        { userId: entry.recipient.userId, boxPublicKey: recipient.boxPublicKey, signPublicKey: recipient.signPublicKey },
        { userId: entry.granter.userId, signSecretKey: granter.signSecretKey },
        fixedRandomSource([fromHex(entry.ephemeralSeedHex)]),
      );
      const opened = egide.openTeamGrant(entry.grant, { recipientUserId: entry.recipient.userId, recipientKeys: recipient, granterSignPublicKey: granter.signPublicKey });
      return {
        grant,
        message: hex(egide.encodeTeamKeyGrantMessage(entry.grant)),
        opened: hex(opened.seed),
        // A version-2 grant vouches for the recipient's sign key: one naming another key does not open.
        otherSignKey: refusal(() =>
          egide.openTeamGrant(entry.grant, {
            recipientUserId: entry.recipient.userId,
            recipientKeys: { ...recipient, signPublicKey: granter.signPublicKey },
            granterSignPublicKey: granter.signPublicKey,
          }),
        ),
      };
    }),
    legacyGrants: input.legacyGrants.map((entry) => {
      const granter = egide.deriveUserKeyPairs(fromHex(entry.granter.userSeedHex));
      const recipient = egide.deriveUserKeyPairs(fromHex(entry.recipient.userSeedHex));
      const opened = egide.openTeamGrant(entry.grant, { recipientUserId: entry.recipient.userId, recipientKeys: recipient, granterSignPublicKey: granter.signPublicKey });
      return {
        message: hex(egide.encodeTeamKeyGrantMessage(entry.grant)),
        opened: hex(opened.seed),
        withSignKey: refusal(() => egide.validateTeamKeyGrant({ ...entry.grant, recipientSignPublicKey: b64(recipient.signPublicKey) })),
        asVersion2: refusal(() => egide.validateTeamKeyGrant({ ...entry.grant, version: 2 })),
      };
    }),
    wrapSignatures: input.wrapSignatures.map((entry) => {
      const team = egide.deriveTeamKeys(fromHex(entry.teamSeedHex), entry.sealedDataKey.scopeId, entry.sealedDataKey.generation);
      const dataKey = { keyId: entry.keyId, key: fromHex(entry.dataKeyHex) };
      const sealed = egide.sealDataKeyToTeam(dataKey, team, fixedRandomSource([fromHex(entry.ephemeralSeedHex)]));
      const binding = { entity: entry.entity, recordId: entry.recordId, writerUserId: entry.writerUserId };
      const writerPublicKey = fromHex(entry.writer.signPublicKeyHex);
      const opened = egide.openSealedDataKey(entry.signedWrap, team);
      return {
        teamPublicKey: hex(team.boxPublicKey),
        sealed,
        signed: egide.signDataKeyWrap(sealed, binding, signSecretKey(entry.writer.signSeedHex, entry.writer.signPublicKeyHex)),
        message: hex(egide.encodeDataKeyWrapMessage(entry.signedWrap)),
        verifies: refusal(() => egide.verifyDataKeyWrap(entry.signedWrap, writerPublicKey)),
        otherRecord: refusal(() => egide.verifyDataKeyWrap({ ...entry.signedWrap, recordId: entry.sealedDataKey.scopeId }, writerPublicKey)),
        unsigned: refusal(() => egide.verifyDataKeyWrap({ ...entry.sealedDataKey, ...binding, writerUserId: null, signature: null }, writerPublicKey)),
        opened: { keyId: opened.keyId, key: hex(opened.key) },
      };
    }),
    recordActions: input.recordActions.map((entry) => {
      const action = {
        action: entry.action,
        entity: entry.entity,
        recordId: entry.recordId,
        version: entry.version,
        actorUserId: entry.actorUserId,
        confirmation: entry.confirmation,
      };
      return {
        confirmation: hex(egide.utf8(entry.confirmation)),
        message: hex(egide.encodeRecordActionMessage(action)),
        signature: egide.signRecordAction(action, signSecretKey(entry.actor.signSeedHex, entry.actor.signPublicKeyHex)),
      };
    }),
    rotation: input.rotation.map((entry) => {
      const previous = egide.deriveTeamKeys(fromHex(entry.previous.seedHex), entry.previous.scopeId, entry.previous.generation);
      const members = entry.remainingMembers.map((member) => ({ userId: member.userId, keys: egide.deriveUserKeyPairs(fromHex(member.userSeedHex)) }));
      const rotator = egide.deriveUserKeyPairs(fromHex(entry.rotator.userSeedHex));
      const random = fixedRandomSource([
        fromHex(entry.newSeedHex),
        ...entry.resealEphemeralSeedsHex.map((seed) => fromHex(seed)),
        fromHex(entry.historyNonceHex),
        ...entry.grantEphemeralSeedsHex.map((seed) => fromHex(seed)),
      ]);
      const rotation = egide.rotateTeamKeys(
        {
          current: previous,
          sealedDataKeys: entry.sealedBefore,
          remainingMembers: members.map((member) => ({ userId: member.userId, boxPublicKey: member.keys.boxPublicKey, signPublicKey: member.keys.signPublicKey })),
          rotatedBy: { userId: entry.rotator.userId, signSecretKey: rotator.signSecretKey },
        },
        random,
      );
      return {
        nextPublicKey: hex(rotation.next.boxPublicKey),
        nextHistoryKey: hex(rotation.next.historyKey),
        resealedDataKeys: rotation.resealedDataKeys,
        historyLink: rotation.historyLink,
        grants: rotation.grants,
        previousSeed: hex(egide.openHistoryLink(entry.historyLink, rotation.next).seed),
        dataKeys: entry.resealedDataKeys.map((sealed) => egide.openSealedDataKey(sealed, rotation.next)).map((key) => ({ keyId: key.keyId, keyHex: hex(key.key) })),
        grantsOpen: entry.grants.map((grant, i) =>
          hex(egide.openTeamGrant(grant, { recipientUserId: members[i].userId, recipientKeys: members[i].keys, granterSignPublicKey: rotator.signPublicKey }).seed),
        ),
      };
    }),
  };
}

type Recomputed = Awaited<ReturnType<typeof recompute>>;

describe('protocol v2 test vectors in Chromium, through the SDK bundle', () => {
  let computed: Recomputed;

  beforeAll(async () => {
    try {
      computed = await browser.page.evaluate<Recomputed, unknown>(recompute, vectors);
    } catch (error) {
      throw new Error(`the page failed: ${String(error)}\n${browser.pageErrors.join('\n')}`, { cause: error });
    }
  }, 180_000);

  it('ran in Chromium, not in Node', () => {
    expect(computed.userAgent).toMatch(/HeadlessChrome\/\d+/);
  });

  it('kdf: Argon2id password key, then KEK and authKey', () => {
    expect(computed.kdf).toEqual(vectors.kdf.map((entry) => ({ kek: entry.kek.hex, authKey: entry.authKey.hex })));
  });

  it('recoveryKeys: wrapping key, authKey and the printed form', () => {
    expect(computed.recoveryKeys).toEqual(
      vectors.recoveryKeys.map((entry) => ({
        wrappingKey: entry.wrappingKey.hex,
        authKey: entry.authKey.hex,
        formatted: entry.formatted,
        parsed: entry.recoveryKeyHex,
        parsedLoosely: entry.recoveryKeyHex,
      })),
    );
  });

  it('userKeys: key pairs and fingerprint', () => {
    expect(computed.userKeys).toEqual(
      vectors.userKeys.map((entry) => ({ box: entry.boxPublicKeyHex, sign: entry.signPublicKeyHex, fingerprint: entry.fingerprint })),
    );
  });

  it('seedWraps: the user seed under a wrapping key', () => {
    expect(computed.seedWraps).toEqual(vectors.seedWraps.map((entry) => ({ bundle: entry.bundle, unwrapped: entry.seedHex })));
  });

  it('envelopes: padding, associated data, AEAD and the final string', () => {
    expect(computed.envelopes).toEqual(
      vectors.envelopes.map((entry) => ({ envelope: entry.envelope, padded: entry.paddedPlaintextHex, ad: entry.adHex, opened: entry.plaintext })),
    );
  });

  it('sealedKeys: keyId ‖ data key sealed to a team public key', () => {
    expect(computed.sealedKeys).toEqual(
      vectors.sealedKeys.map((entry) => ({
        secretKey: entry.recipientSecretKeyHex,
        publicKey: entry.recipientPublicKeyHex,
        sealed: entry.sealedDataKey,
        opened: { keyId: entry.keyId, key: entry.dataKeyHex },
      })),
    );
  });

  it('signatures: revision message and Ed25519 signature, verified by libsodium', () => {
    expect(computed.signatures).toEqual(
      vectors.signatures.map((entry) => ({ message: entry.messageHex, signature: entry.signatureHex, verifies: 'accepted', otherVersion: 'BadSignatureError' })),
    );
  });

  it('blindIndexes: per-field key, normalisation and index', () => {
    expect(computed.blindIndexes).toEqual(vectors.blindIndexes.map((entry) => ({ fieldKey: entry.keyHex, normalised: entry.normalised, index: entry.index })));
  });

  it('caseBlindIndexes: field keys from one team seed, and what a case indexes', () => {
    expect(computed.caseBlindIndexes).toEqual(
      vectors.caseBlindIndexes.map((entry) => ({
        teamBlindIndexKey: entry.team.blindIndexKey.hex,
        fieldKeys: entry.fieldKeys.map((fieldKey) => fieldKey.keyHex),
        normalised: entry.values.map((value) => value.normalised),
        sent: entry.blindIndexes,
      })),
    );
  });

  it('teamFingerprints: digest of (scope, generation, team public key) and its display', () => {
    expect(computed.teamFingerprints).toEqual(
      vectors.teamFingerprints.map((entry) => ({ publicKey: entry.teamBoxPublicKeyHex, fingerprint: entry.fingerprint, ofKeys: entry.fingerprint })),
    );
  });

  it('grants: the worked example seals, signs and opens', () => {
    expect(computed.grants).toEqual(
      vectors.grants.map((entry) => ({ grant: entry.grant, message: entry.messageHex, opened: entry.team.seedHex, otherSignKey: 'WrongKeyError' })),
    );
  });

  it('legacyGrants: a version-1 grant still opens, and each version has one shape', () => {
    expect(computed.legacyGrants).toEqual(
      vectors.legacyGrants.map((entry) => ({
        message: entry.messageHex,
        opened: entry.team.seedHex,
        withSignKey: 'MalformedInputError',
        asVersion2: 'MalformedInputError',
      })),
    );
  });

  it('wrapSignatures: a sealed data key bound to its record and writer', () => {
    expect(computed.wrapSignatures).toEqual(
      vectors.wrapSignatures.map((entry) => ({
        teamPublicKey: entry.teamBoxPublicKeyHex,
        sealed: entry.sealedDataKey,
        signed: entry.signedWrap,
        message: entry.messageHex,
        verifies: 'accepted',
        otherRecord: 'BadSignatureError',
        unsigned: 'UnsignedWrapError',
        opened: { keyId: entry.keyId, key: entry.dataKeyHex },
      })),
    );
  });

  it('recordActions: shred and transfer signed by their actor', () => {
    expect(computed.recordActions).toEqual(
      vectors.recordActions.map((entry) => ({ confirmation: entry.confirmationHex, message: entry.messageHex, signature: entry.signature })),
    );
  });

  it('rotation: the worked example re-seals, links back and grants', () => {
    expect(computed.rotation).toEqual(
      vectors.rotation.map((entry) => ({
        nextPublicKey: entry.next.boxPublicKeyHex,
        nextHistoryKey: entry.next.historyKey.hex,
        resealedDataKeys: entry.resealedDataKeys,
        historyLink: entry.historyLink,
        grants: entry.grants,
        previousSeed: entry.previous.seedHex,
        dataKeys: entry.dataKeys,
        grantsOpen: entry.grants.map(() => entry.next.seedHex),
      })),
    );
  });

  it('left no error in the page', () => {
    expect(browser.pageErrors).toEqual([]);
  });
});
