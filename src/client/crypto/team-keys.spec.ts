import sodium from 'libsodium-wrappers-sumo';
import {
  BadSignatureError,
  HistoryLink,
  MalformedInputError,
  SealedDataKey,
  TamperedError,
  TeamKeyGrant,
  UnsignedTeamKeyGrant,
  UnsignedWrapError,
  WrongKeyError,
  encodeTeamKeyGrantMessage,
  fromBase64Url,
  isFingerprint,
  readyCrypto,
  toBase64Url,
} from '../../crypto';
import { verifyDataKeyWrapOnServer, verifyTeamKeyGrantOnServer } from '../../common/crypto/signature-verifier';
import { signDataKeyWrap, verifyDataKeyWrap } from './data-key-wrap-signatures';
import { DataKey, generateDataKey, openSealedDataKey, sealDataKeyToTeam } from './data-keys';
import { openField, sealField } from './field-envelopes';
import { fixedRandomSource } from './random-source';
import { openSealedBox, sealToPublicKey, sealToPublicKeyTraced } from './sealed-box';
import { grantTeamSeed, openTeamGrant, teamPublicKeyFromGrant } from './team-grants';
import { createTeam, deriveTeamKeys, teamKeysFingerprint, TeamKeys } from './team-keys';
import { createHistoryLink, openHistoryLink, rotateTeam, walkTeamHistory } from './team-rotation';
import { UserKeyPairs, deriveUserKeyPairs, generateUserSeed } from './user-keys';

const scopeId = '3e2d1c0b-9a87-4654-8321-0fedcba98765';
const otherScopeId = '4e2d1c0b-9a87-4654-8321-0fedcba98765';

interface Member {
  userId: string;
  keys: UserKeyPairs;
}

function member(userId: string): Member {
  return { userId, keys: deriveUserKeyPairs(generateUserSeed()) };
}

function recipientOf(someone: Member): { userId: string; boxPublicKey: Uint8Array; signPublicKey: Uint8Array } {
  return { userId: someone.userId, boxPublicKey: someone.keys.boxPublicKey, signPublicKey: someone.keys.signPublicKey };
}

function flip(text: string, index: number): string {
  const bytes = Uint8Array.from(fromBase64Url(text));
  bytes[index] ^= 1;
  return toBase64Url(bytes);
}

describe('sealed boxes', () => {
  beforeAll(async () => {
    await readyCrypto();
  });

  it('are byte-compatible with crypto_box_seal in both directions', () => {
    const recipient = sodium.crypto_box_keypair();
    const message = sodium.randombytes_buf(48);
    const ours = sealToPublicKey(message, recipient.publicKey);
    expect(sodium.crypto_box_seal_open(ours, recipient.publicKey, recipient.privateKey)).toEqual(message);
    const theirs = sodium.crypto_box_seal(message, recipient.publicKey);
    expect(openSealedBox(theirs, recipient.publicKey, recipient.privateKey, 48)).toEqual(message);
  });

  it('follow the documented construction', () => {
    const recipient = sodium.crypto_box_keypair();
    const ephemeralSeed = new Uint8Array(32).fill(9);
    const trace = sealToPublicKeyTraced(Uint8Array.of(1, 2, 3), recipient.publicKey, fixedRandomSource([ephemeralSeed]));
    const ephemeral = sodium.crypto_box_seed_keypair(ephemeralSeed);
    expect(trace.ephemeralPublicKey).toEqual(ephemeral.publicKey);
    expect(trace.nonce).toEqual(sodium.crypto_generichash(24, new Uint8Array([...ephemeral.publicKey, ...recipient.publicKey]), null));
    expect(trace.sealed.subarray(32)).toEqual(
      sodium.crypto_box_easy(Uint8Array.of(1, 2, 3), trace.nonce, recipient.publicKey, ephemeral.privateKey),
    );
  });

  it('fail for another recipient or any altered byte', () => {
    const recipient = sodium.crypto_box_keypair();
    const stranger = sodium.crypto_box_keypair();
    const sealed = sealToPublicKey(new Uint8Array(16), recipient.publicKey);
    expect(() => openSealedBox(sealed, stranger.publicKey, stranger.privateKey, 16)).toThrow(WrongKeyError);
    for (let i = 0; i < sealed.length; i += 1) {
      const altered = Uint8Array.from(sealed);
      altered[i] ^= 1;
      expect(() => openSealedBox(altered, recipient.publicKey, recipient.privateKey, 16)).toThrow(WrongKeyError);
    }
    expect(() => openSealedBox(sealed.subarray(1), recipient.publicKey, recipient.privateKey, 16)).toThrow(
      MalformedInputError,
    );
  });
});

describe('team keys, data keys and grants', () => {
  let team: TeamKeys;
  let alice: Member;
  let bob: Member;
  let mallory: Member;

  beforeAll(async () => {
    await readyCrypto();
    team = createTeam(scopeId);
    alice = member('aaaaaaaa-0000-4000-8000-000000000001');
    bob = member('bbbbbbbb-0000-4000-8000-000000000002');
    mallory = member('cccccccc-0000-4000-8000-000000000003');
  });

  it('derives the team key pair, blind-index key and history key from the seed', () => {
    const again = deriveTeamKeys(team.seed, scopeId, 1);
    expect(again.boxPublicKey).toEqual(team.boxPublicKey);
    expect(again.blindIndexKey).toEqual(team.blindIndexKey);
    expect(sodium.crypto_scalarmult_base(team.boxSecretKey)).toEqual(team.boxPublicKey);
    expect(new Set([team.blindIndexKey, team.historyKey, team.boxSecretKey].map(toBase64Url)).size).toBe(3);
    expect(isFingerprint(teamKeysFingerprint(team))).toBe(true);
    expect(teamKeysFingerprint(team)).not.toBe(teamKeysFingerprint(deriveTeamKeys(team.seed, scopeId, 2)));
    expect(() => deriveTeamKeys(team.seed, 'scope', 1)).toThrow(MalformedInputError);
    expect(() => deriveTeamKeys(team.seed, scopeId, 0)).toThrow(MalformedInputError);
  });

  it('seals a data key to a team and opens it with the team secret only', () => {
    const dataKey = generateDataKey();
    expect(dataKey.keyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const sealed = sealDataKeyToTeam(dataKey, team);
    expect(sealed).toMatchObject({ keyId: dataKey.keyId, scopeId, generation: 1 });
    expect(openSealedDataKey(sealed, team)).toEqual(dataKey);
    const otherTeam = createTeam(otherScopeId);
    expect(() => openSealedDataKey(sealed, otherTeam)).toThrow(WrongKeyError);
    expect(() => openSealedDataKey({ ...sealed, scopeId: otherScopeId }, otherTeam)).toThrow(WrongKeyError);
    expect(() => openSealedDataKey({ ...sealed, sealed: flip(sealed.sealed, 40) }, team)).toThrow(WrongKeyError);
  });

  it('catches a server swapping the labels of two wraps', () => {
    const first = sealDataKeyToTeam(generateDataKey(), team);
    const second = sealDataKeyToTeam(generateDataKey(), team);
    const swapped: SealedDataKey = { ...first, keyId: second.keyId };
    expect(() => openSealedDataKey(swapped, team)).toThrow(TamperedError);
  });

  it('grants the team seed to a member, who verifies and opens it', () => {
    const grant = grantTeamSeed(team, recipientOf(bob), {
      userId: alice.userId,
      signSecretKey: alice.keys.signSecretKey,
    });
    expect(() => verifyTeamKeyGrantOnServer(grant, alice.keys.signPublicKey)).not.toThrow();
    const opened = openTeamGrant(grant, {
      recipientUserId: bob.userId,
      recipientKeys: bob.keys,
      granterSignPublicKey: alice.keys.signPublicKey,
    });
    expect(opened.seed).toEqual(team.seed);
    expect(opened.boxSecretKey).toEqual(team.boxSecretKey);
  });

  it('lets a client outside the scope trust its team key only through a member-signed grant', () => {
    const grant = grantTeamSeed(team, recipientOf(bob), {
      userId: alice.userId,
      signSecretKey: alice.keys.signSecretKey,
    });
    const trusted = teamPublicKeyFromGrant(grant, alice.keys.signPublicKey);
    expect(trusted).toEqual({ scopeId, generation: 1, boxPublicKey: team.boxPublicKey });
    const substituted = { ...grant, teamBoxPublicKey: toBase64Url(mallory.keys.boxPublicKey) };
    expect(() => teamPublicKeyFromGrant(substituted, alice.keys.signPublicKey)).toThrow(BadSignatureError);
  });

  it('still opens a version-1 grant stored under protocol 1 (it vouches for no signing key)', () => {
    const unsigned: UnsignedTeamKeyGrant = {
      version: 1,
      scopeId,
      generation: 1,
      recipientUserId: bob.userId,
      recipientBoxPublicKey: toBase64Url(bob.keys.boxPublicKey),
      granterUserId: alice.userId,
      teamBoxPublicKey: toBase64Url(team.boxPublicKey),
      sealedTeamSeed: toBase64Url(sealToPublicKey(team.seed, bob.keys.boxPublicKey)),
    };
    const legacy: TeamKeyGrant = {
      ...unsigned,
      signature: toBase64Url(sodium.crypto_sign_detached(encodeTeamKeyGrantMessage(unsigned), alice.keys.signSecretKey)),
    };
    const opened = openTeamGrant(legacy, { recipientUserId: bob.userId, recipientKeys: bob.keys, granterSignPublicKey: alice.keys.signPublicKey });
    expect(opened.seed).toEqual(team.seed);
  });

  describe('a grant that must not open', () => {
    let grant: TeamKeyGrant;
    const opening = (): Parameters<typeof openTeamGrant>[1] => ({
      recipientUserId: bob.userId,
      recipientKeys: bob.keys,
      granterSignPublicKey: alice.keys.signPublicKey,
    });

    beforeAll(() => {
      grant = grantTeamSeed(team, recipientOf(bob), {
        userId: alice.userId,
        signSecretKey: alice.keys.signSecretKey,
      });
    });

    it('signed by someone else than the claimed granter', () => {
      expect(() =>
        openTeamGrant(grant, { ...opening(), granterSignPublicKey: mallory.keys.signPublicKey }),
      ).toThrow(BadSignatureError);
    });

    it('with any signed field altered', () => {
      const altered: TeamKeyGrant[] = [
        { ...grant, generation: 2 },
        { ...grant, scopeId: otherScopeId },
        { ...grant, granterUserId: mallory.userId },
        { ...grant, teamBoxPublicKey: toBase64Url(mallory.keys.boxPublicKey) },
        { ...grant, recipientSignPublicKey: toBase64Url(mallory.keys.signPublicKey) },
        { ...grant, sealedTeamSeed: flip(grant.sealedTeamSeed, 50) },
        { ...grant, signature: flip(grant.signature, 10) },
      ];
      for (const candidate of altered) {
        expect(() => openTeamGrant(candidate, opening())).toThrow(BadSignatureError);
      }
    });

    it("vouching for another signing key than the recipient's own", () => {
      const vouchesForMallory = grantTeamSeed(team, { ...recipientOf(bob), signPublicKey: mallory.keys.signPublicKey }, {
        userId: alice.userId,
        signSecretKey: alice.keys.signSecretKey,
      });
      expect(vouchesForMallory.version).toBe(2);
      expect(() => openTeamGrant(vouchesForMallory, opening())).toThrow(WrongKeyError);
    });

    it('meant for another member', () => {
      expect(() =>
        openTeamGrant(grant, { ...opening(), recipientUserId: mallory.userId, recipientKeys: mallory.keys }),
      ).toThrow(WrongKeyError);
    });

    it('whose signed team key the sealed seed does not derive (a lying granter)', () => {
      const liar = grantTeamSeed(
        { ...team, boxPublicKey: createTeam(scopeId).boxPublicKey },
        recipientOf(bob),
        { userId: alice.userId, signSecretKey: alice.keys.signSecretKey },
      );
      expect(() => openTeamGrant(liar, opening())).toThrow(BadSignatureError);
    });
  });
});

describe('rotation and history', () => {
  let alice: Member;
  let bob: Member;
  let generation1: TeamKeys;
  let dataKeys: DataKey[];
  const recordIds = [
    '6f1c2b0e-8a44-4c1e-9d3a-2b7e5f0c9a11',
    '6f1c2b0e-8a44-4c1e-9d3a-2b7e5f0c9a12',
    '6f1c2b0e-8a44-4c1e-9d3a-2b7e5f0c9a13',
  ];

  beforeAll(async () => {
    await readyCrypto();
    alice = member('aaaaaaaa-0000-4000-8000-000000000001');
    bob = member('bbbbbbbb-0000-4000-8000-000000000002');
    generation1 = createTeam(scopeId);
    dataKeys = [generateDataKey(), generateDataKey(), generateDataKey()];
  });

  it('moves every data key to a new generation, grants it, and links back', () => {
    const location = { entity: 'case', recordId: '6f1c2b0e-8a44-4c1e-9d3a-2b7e5f0c9a11', field: 'narrative' };
    const envelope = sealField('what happened', location, dataKeys[0]);
    const rotation = rotateTeam({
      current: generation1,
      sealedDataKeys: dataKeys.map((key, i) => ({ ...sealDataKeyToTeam(key, generation1), entity: 'case', recordId: recordIds[i] })),
      remainingMembers: [recipientOf(alice)],
      rotatedBy: { userId: alice.userId, signSecretKey: alice.keys.signSecretKey },
    });
    const { next, resealedDataKeys, historyLink, grants } = rotation;
    expect(next.generation).toBe(2);
    expect(next.seed).not.toEqual(generation1.seed);
    expect(resealedDataKeys.map((sealed) => sealed.generation)).toEqual([2, 2, 2]);
    expect(resealedDataKeys.map((sealed) => openSealedDataKey(sealed, next))).toEqual(dataKeys);
    // Every re-sealed wrap is signed by the rotator for the record its stored row names.
    expect(resealedDataKeys.map((sealed) => [sealed.entity, sealed.recordId, sealed.writerUserId])).toEqual(
      recordIds.map((recordId) => ['case', recordId, alice.userId]),
    );
    for (const sealed of resealedDataKeys) {
      expect(() => verifyDataKeyWrap(sealed, alice.keys.signPublicKey)).not.toThrow();
      expect(() => verifyDataKeyWrapOnServer(sealed, alice.keys.signPublicKey)).not.toThrow();
    }
    // The rotated key still opens what was written before the rotation.
    expect(openField(envelope, location, openSealedDataKey(resealedDataKeys[0], next))).toBe('what happened');
    // Generation 1 no longer opens the re-sealed keys (bob was removed).
    expect(() => openSealedDataKey({ ...resealedDataKeys[0], generation: 1 }, generation1)).toThrow(WrongKeyError);

    expect(grants.map((grant) => grant.recipientUserId)).toEqual([alice.userId]);
    expect(grants.map((grant) => grant.recipientUserId)).not.toContain(bob.userId);
    const aliceNext = openTeamGrant(grants[0], {
      recipientUserId: alice.userId,
      recipientKeys: alice.keys,
      granterSignPublicKey: alice.keys.signPublicKey,
    });
    expect(aliceNext.seed).toEqual(next.seed);
    expect(openHistoryLink(historyLink, aliceNext).seed).toEqual(generation1.seed);
  });

  it('walks a chain of rotations back to generation 1, and stops at a broken link', () => {
    const rotator = { userId: alice.userId, signSecretKey: alice.keys.signSecretKey };
    let current = generation1;
    const links: HistoryLink[] = [];
    for (let i = 0; i < 3; i += 1) {
      const rotation = rotateTeam({ current, sealedDataKeys: [], remainingMembers: [], rotatedBy: rotator });
      links.push(rotation.historyLink);
      current = rotation.next;
    }
    const chain = walkTeamHistory(current, [...links].reverse());
    expect(chain.map((keys) => keys.generation)).toEqual([4, 3, 2, 1]);
    expect(chain[3].seed).toEqual(generation1.seed);
    expect(() => walkTeamHistory(current, links.slice(1))).toThrow(WrongKeyError);
    const tampered = { ...links[2], ciphertext: flip(links[2].ciphertext, 3) };
    expect(() => openHistoryLink(tampered, current)).toThrow(TamperedError);
    expect(() => openHistoryLink(links[1], current)).toThrow(WrongKeyError);
    const relabelled = { ...links[2], scopeId: otherScopeId };
    expect(() => openHistoryLink(relabelled, { ...current, scopeId: otherScopeId })).toThrow(TamperedError);
  });

  it('refuses to link generations that are not consecutive, and data keys of another generation', () => {
    const generation3 = deriveTeamKeys(createTeam(scopeId).seed, scopeId, 3);
    expect(() => createHistoryLink(generation3, generation1)).toThrow(MalformedInputError);
    const stale = { ...sealDataKeyToTeam(dataKeys[0], deriveTeamKeys(createTeam(scopeId).seed, scopeId, 2)), entity: 'case', recordId: recordIds[0] };
    expect(() =>
      rotateTeam({
        current: generation1,
        sealedDataKeys: [stale],
        remainingMembers: [],
        rotatedBy: { userId: alice.userId, signSecretKey: alice.keys.signSecretKey },
      }),
    ).toThrow(WrongKeyError);
  });
});

describe('signed data-key wraps', () => {
  let team: TeamKeys;
  let alice: Member;
  let mallory: Member;
  const binding = { entity: 'case', recordId: '6f1c2b0e-8a44-4c1e-9d3a-2b7e5f0c9a11', writerUserId: 'aaaaaaaa-0000-4000-8000-000000000001' };

  beforeAll(async () => {
    await readyCrypto();
    team = createTeam(scopeId);
    alice = member(binding.writerUserId);
    mallory = member('cccccccc-0000-4000-8000-000000000003');
  });

  it('binds a sealed key to its record and writer; the reader and the server both verify it', () => {
    const sealed = sealDataKeyToTeam(generateDataKey(), team);
    const wrap = signDataKeyWrap(sealed, { ...binding, recordId: binding.recordId.toUpperCase() }, alice.keys.signSecretKey);
    expect(wrap).toMatchObject({ ...sealed, ...binding });
    expect(() => verifyDataKeyWrap(wrap, alice.keys.signPublicKey)).not.toThrow();
    expect(() => verifyDataKeyWrapOnServer(wrap, alice.keys.signPublicKey)).not.toThrow();
    expect(() => verifyDataKeyWrap(wrap, mallory.keys.signPublicKey)).toThrow(BadSignatureError);
  });

  it('refuses a wrap moved to another record, relabelled, re-attributed or re-sealed', () => {
    const wrap = signDataKeyWrap(sealDataKeyToTeam(generateDataKey(), team), binding, alice.keys.signSecretKey);
    const other = sealDataKeyToTeam(generateDataKey(), team);
    for (const altered of [
      { ...wrap, recordId: '6f1c2b0e-8a44-4c1e-9d3a-2b7e5f0c9a12' },
      { ...wrap, entity: 'visa_request' },
      { ...wrap, keyId: other.keyId },
      { ...wrap, scopeId: otherScopeId },
      { ...wrap, generation: 2 },
      { ...wrap, writerUserId: mallory.userId },
      { ...wrap, sealed: other.sealed },
      { ...wrap, signature: flip(wrap.signature, 3) },
    ]) {
      expect(() => verifyDataKeyWrap(altered, alice.keys.signPublicKey)).toThrow(BadSignatureError);
    }
  });

  it('reports a wrap written before protocol 2 as unsigned, not as verified', () => {
    const sealed = sealDataKeyToTeam(generateDataKey(), team);
    const legacy = { ...sealed, entity: 'case', recordId: binding.recordId, writerUserId: null, signature: null };
    expect(() => verifyDataKeyWrap(legacy, alice.keys.signPublicKey)).toThrow(UnsignedWrapError);
  });
});
