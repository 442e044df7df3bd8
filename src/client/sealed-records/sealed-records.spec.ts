/**
 * The sealed-record kit with real libsodium and a real trust store: a visa-request-like
 * record sealed to two scopes (the requesting organisation and the deciding embassy),
 * opened by a member of each, and refused when a wrap, an envelope or an author does not
 * check out. Only the network is canned (FakeServer): its answers are made with the same
 * crypto a server would store.
 */
import { fromBase64Url, toBase64Url } from '../../crypto/binary-encoding';
import type { SignedDataKeyWrap } from '../../crypto/data-key-wrap-payload';
import { teamKeyFingerprint } from '../../crypto/fingerprint';
import { readyCrypto } from '../../crypto/protocol-hash';
import type { SignedRevision } from '../../crypto/revision-payload';
import type { HeldGrantResponse } from '../../keys/dto/grant.response';
import type { MyTeamKeysResponse } from '../../keys/dto/my-team-keys.response';
import type { DirectoryTeamKeyResponse } from '../../keys/dto/team-key.response';
import type { UserPublicKeysResponse } from '../../keys/dto/user-public-keys.response';
import { blindIndex } from '../crypto/blind-index';
import { openSealedDataKey, type DataKey } from '../crypto/data-keys';
import { signDataKeyWrap } from '../crypto/data-key-wrap-signatures';
import { sealField, type JsonValue } from '../crypto/field-envelopes';
import { randomUuid } from '../crypto/random-source';
import { openRevision } from '../crypto/record-revisions';
import { signRevision } from '../crypto/revision-signatures';
import { grantTeamSeed } from '../crypto/team-grants';
import { createTeam, type TeamKeys } from '../crypto/team-keys';
import { rotateTeam } from '../crypto/team-rotation';
import { deriveUserKeyPairs, generateUserSeed, userKeyPairsFingerprint, type UserKeyPairs } from '../crypto/user-keys';
import { EgideApiError, HttpClient } from '../http-client';
import { KeysApi } from '../keys-api';
import type { MyTeamKeys } from '../team-keys-flow';
import { KeyChangedError, MemoryTrustStorage, RollbackError, TrustStore, UnverifiedAuthorError } from '../trust-store';
import { pinOwnTeamKeys, pinSelf, pinVerifiedMember, TeamFingerprintMismatchError, type ServedSigner } from '../trusted-keys';
import { openRecord, openRecordKey, openRevisionUnderKey, wrapRecordCheck, type ServedRecord } from './opening';
import { OtherScope, OwnScope, type SealedRecordSession } from './reader-scopes';
import { RecordIntegrityError } from './record-errors';
import type { SealedRecordType, SealedRevisionType } from './record-types';
import { sealNextRevision } from './revising';
import { authorOf, forgetDataKey, recordBlindIndexes, sealNewRecord, sealRevisionUnderKey, sendNewRecord, type SealedNewRecord } from './sealing';

interface VisaContent {
  applicant: { fullName: string; passportNumbers?: string[] };
  purpose?: string;
}

const isApplicant = (value: JsonValue): boolean => typeof value === 'object' && value !== null && !Array.isArray(value) && typeof value.fullName === 'string';

/** Shaped like the visa requests to come: two scopes read it, passport numbers are indexed. */
const VISA_REQUEST: SealedRecordType<VisaContent, 'passport'> = {
  entity: 'visa_request',
  compartment: 'visa',
  fields: {
    applicant: { field: 'applicant', required: true, accepts: isApplicant, expected: 'an applicant' },
    purpose: { field: 'purpose', required: false },
  },
  blindIndexes: {
    sources: ['applicant'],
    values: ({ applicant }) => (applicant.passportNumbers ?? []).map((value) => ({ fieldId: 'passport' as const, kind: 'passport' as const, value })),
    max: 4,
    tooMany: 'at most 4 passport numbers',
  },
};

const VISA_NOTE: SealedRevisionType<{ body: JsonValue }> = { entity: 'visa_note', fields: { body: { field: 'body', required: true } } };

const CONTENT: VisaContent = { applicant: { fullName: 'Amina Yusuf', passportNumbers: ['A1234567'] }, purpose: 'asylum hearing' };

interface Member {
  readonly userId: string;
  readonly name: string;
  readonly seed: Uint8Array;
  readonly keys: UserKeyPairs;
}

function newMember(name: string): Member {
  const seed = generateUserSeed();
  return { userId: randomUuid(), name, seed, keys: deriveUserKeyPairs(seed) };
}

/** The keys the server has on record for a member, as a record's response names them. */
function signer(member: Member, keys: UserKeyPairs = member.keys): ServedSigner & { boxPublicKey: string } {
  return { userId: member.userId, boxPublicKey: toBase64Url(keys.boxPublicKey), signPublicKey: toBase64Url(keys.signPublicKey), fingerprint: userKeyPairsFingerprint(keys) };
}

/** Canned answers behind the SDK's real HttpClient and KeysApi: 404 for anything not set. */
class FakeServer {
  private readonly routes = new Map<string, () => unknown>();

  answer(path: string, body: () => unknown): void {
    this.routes.set(`/api/v1${path}`, body);
  }

  readonly fetch = (input: string | URL | Request): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    const route = this.routes.get(url.pathname);
    const [status, body] = route === undefined ? [404, { type: 'urn:egide:problem:not-found', title: 'Not Found', status: 404, detail: 'not found' }] : [200, route()];
    return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));
  };
}

async function signIn(member: Member, scopeId: string, server: FakeServer): Promise<SealedRecordSession> {
  const http = new HttpClient('http://egide.test', undefined, server.fetch);
  const session: SealedRecordSession = {
    user: { id: member.userId, email: `${member.name}@example.org`, role: 'EMBASSY_CONTACT', displayName: member.name, scope: { id: scopeId } },
    keys: member.keys,
    keysApi: new KeysApi(http),
    trust: await TrustStore.open(new MemoryTrustStorage(), { userId: member.userId, userSeed: member.seed }),
    http,
  };
  pinSelf(session);
  return session;
}

/** The reader compared `member`'s fingerprint out of band. */
function pin(session: SealedRecordSession, member: Member, scopeName: string): void {
  pinVerifiedMember(session, { ...signer(member), email: `${member.name}@example.org`, displayName: member.name, scopeName });
}

function lent(...teams: TeamKeys[]): MyTeamKeys {
  return { current: teams[0], history: teams };
}

function served(sealed: SealedNewRecord<string>, author: Member, writer: Member, overrides: Partial<ServedRecord> = {}): ServedRecord {
  return {
    recordId: sealed.recordId,
    keyId: sealed.keyId,
    revision: sealed.revision,
    author: signer(author),
    wraps: sealed.wraps.map((wrap) => ({ wrap, writer: signer(writer) })),
    version: 1,
    ...overrides,
  };
}

/** Changes one byte of a base64url value (an envelope's last ciphertext byte, a signature's). */
function flipLastByte(value: string): string {
  const bytes = fromBase64Url(value);
  bytes[bytes.length - 1] ^= 0x01;
  return toBase64Url(bytes);
}

function heldGrant(grant: HeldGrantResponse['grant'], granter: Member): HeldGrantResponse {
  return {
    grant,
    granterSignPublicKey: toBase64Url(granter.keys.signPublicKey),
    granterBoxPublicKey: toBase64Url(granter.keys.boxPublicKey),
    granterFingerprint: userKeyPairsFingerprint(granter.keys),
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}

function directoryEntry(member: Member, scopeId: string, grants: HeldGrantResponse[]): UserPublicKeysResponse {
  return { ...signer(member), role: 'EMBASSY_CONTACT', active: true, email: `${member.name}@example.org`, displayName: member.name, scopeId, scopeName: 'Embassy', grants };
}

function teamDirectory(team: TeamKeys): DirectoryTeamKeyResponse {
  return {
    scopeId: team.scopeId,
    scopeType: 'EMBASSY',
    generation: team.generation,
    teamBoxPublicKey: toBase64Url(team.boxPublicKey),
    fingerprint: teamKeyFingerprint(team.scopeId, team.generation, team.boxPublicKey),
    createdAt: '2026-01-01T00:00:00.000Z',
    signedBy: null,
  };
}

function refusal(reason: string): { name: string; reason: string } {
  return { name: 'RecordIntegrityError', reason };
}

const ORGANISATION = randomUuid();
const EMBASSY = randomUuid();
let alice: Member; // organisation member: writes the request
let bob: Member; // embassy member: reads it
let mallory: Member; // nobody's member
let organisationTeam: TeamKeys;
let embassyTeam: TeamKeys;
let server: FakeServer;
let bobSession: SealedRecordSession;

beforeAll(async () => {
  await readyCrypto();
  [alice, bob, mallory] = [newMember('alice'), newMember('bob'), newMember('mallory')];
  organisationTeam = createTeam(ORGANISATION);
  embassyTeam = createTeam(EMBASSY);
});

beforeEach(async () => {
  server = new FakeServer();
  bobSession = await signIn(bob, EMBASSY, server);
  pin(bobSession, alice, 'Organisation');
});

/** Alice seals CONTENT to both scopes; the caller erases the data key. */
function sealByAlice(content: VisaContent = CONTENT): { sealed: SealedNewRecord<'passport'>; dataKey: DataKey } {
  return sealNewRecord({ userId: alice.userId, signSecretKey: alice.keys.signSecretKey }, VISA_REQUEST, {
    content,
    readers: [organisationTeam, embassyTeam],
    indexWith: organisationTeam,
  });
}

async function openAsBob(record: ServedRecord, teams: TeamKeys[] = [embassyTeam]): Promise<VisaContent> {
  const embassy = await OwnScope.open(bobSession, lent(...teams));
  return (await openRecord(bobSession, VISA_REQUEST, record, embassy)).content;
}

describe('sealing a new record to several scopes and opening it', () => {
  it('writes one signed wrap per reader scope, the blind indexes under its own scope, and opens for a member of each scope', async () => {
    const { sealed, dataKey } = sealByAlice();
    forgetDataKey(dataKey);
    expect(sealed.revision).toMatchObject({ entity: 'visa_request', recordId: sealed.recordId, version: 1, authorUserId: alice.userId });
    expect(sealed.revision.envelopes.map((entry) => entry.field)).toEqual(['applicant', 'purpose']);
    expect(sealed.wraps.map((wrap) => [wrap.scopeId, wrap.generation, wrap.entity, wrap.recordId, wrap.writerUserId, wrap.keyId])).toEqual([
      [ORGANISATION, 1, 'visa_request', sealed.recordId, alice.userId, sealed.keyId],
      [EMBASSY, 1, 'visa_request', sealed.recordId, alice.userId, sealed.keyId],
    ]);
    expect(sealed.blindIndexes).toEqual([{ fieldId: 'passport', value: blindIndex('A1234567', 'passport', 'passport', organisationTeam.blindIndexKey) }]);

    const embassy = await OwnScope.open(bobSession, lent(embassyTeam));
    const opened = await openRecord(bobSession, VISA_REQUEST, served(sealed, alice, alice), embassy);
    expect(opened).toMatchObject({ recordId: sealed.recordId, content: CONTENT, revision: 1 });
    expect(opened.author).toMatchObject({ userId: alice.userId, label: 'alice <alice@example.org> (Organisation)', verification: 'fingerprint' });
    expect(opened.wrapWriter.userId).toBe(alice.userId);
    expect(bobSession.trust.recordMark('visa_request', sealed.recordId)).toEqual({ version: 1, revision: 1 });

    const carol = newMember('carol');
    const carolSession = await signIn(carol, ORGANISATION, server);
    pin(carolSession, alice, 'Organisation');
    const organisation = await OwnScope.open(carolSession, lent(organisationTeam));
    await expect(openRecord(carolSession, VISA_REQUEST, served(sealed, alice, alice), organisation)).resolves.toMatchObject({ content: CONTENT });
  });

  it('refuses a wrap signed by a key this device has not pinned, or under another key than the pinned one', async () => {
    const { sealed, dataKey } = sealByAlice();
    forgetDataKey(dataKey);
    const [, toEmbassy] = sealed.wraps;
    const byMallory = signDataKeyWrap(toEmbassy, { ...toEmbassy, writerUserId: mallory.userId }, mallory.keys.signSecretKey);
    const withWrap = (wrap: SignedDataKeyWrap | (Omit<SignedDataKeyWrap, 'signature' | 'writerUserId'> & { writerUserId: null; signature: null }), writer: ServedSigner | null): ServedRecord => ({
      ...served(sealed, alice, alice),
      wraps: [{ wrap, writer }],
    });
    // Nothing vouches for Mallory (the directory does not know them).
    await expect(openAsBob(withWrap(byMallory, signer(mallory)))).rejects.toBeInstanceOf(UnverifiedAuthorError);
    // Mallory's key served as Alice's: the pinned key differs.
    const malloryAsAlice = signDataKeyWrap(toEmbassy, toEmbassy, mallory.keys.signSecretKey);
    await expect(openAsBob(withWrap(malloryAsAlice, signer(alice, mallory.keys)))).rejects.toBeInstanceOf(KeyChangedError);
    // Alice's pinned key, but not over these bytes.
    await expect(openAsBob(withWrap({ ...toEmbassy, signature: flipLastByte(toEmbassy.signature) }, signer(alice)))).rejects.toMatchObject(refusal('bad_signature'));
    await expect(openAsBob(withWrap({ ...toEmbassy, writerUserId: null, signature: null }, null))).rejects.toMatchObject(refusal('unsigned_wrap'));
    await expect(openAsBob(withWrap(toEmbassy, signer(bob)))).rejects.toMatchObject(refusal('mismatch'));
    await expect(openAsBob(withWrap(toEmbassy, signer(alice)))).resolves.toEqual(CONTENT);
  });

  it('refuses a tampered envelope: the signature covers it, and a re-signed one does not open', async () => {
    const { sealed, dataKey } = sealByAlice();
    const envelopes = sealed.revision.envelopes;
    const tampered = [{ field: 'applicant', envelope: flipLastByte(envelopes[0].envelope) }, envelopes[1]];
    const asServed = (revision: SignedRevision): ServedRecord => ({ ...served(sealed, alice, alice), revision });
    await expect(openAsBob(asServed({ ...sealed.revision, envelopes: tampered }))).rejects.toMatchObject(refusal('bad_signature'));

    // Even signed by the trusted author, altered bytes or an envelope sealed for another record do not open.
    const resign = (entries: { field: string; envelope: string }[]): SignedRevision => signRevision({ ...sealed.revision, envelopes: entries }, alice.keys.signSecretKey);
    await expect(openAsBob(asServed(resign(tampered)))).rejects.toMatchObject(refusal('tampered'));
    const moved = sealField({ fullName: 'Someone else' }, { entity: 'visa_request', recordId: randomUuid(), field: 'applicant' }, dataKey);
    await expect(openAsBob(asServed(resign([{ field: 'applicant', envelope: moved }, envelopes[1]])))).rejects.toMatchObject(refusal('tampered'));
    const misfiled = sealField({ fullName: 'A' }, { entity: 'visa_request', recordId: sealed.recordId, field: 'purpose' }, dataKey);
    await expect(openAsBob(asServed(resign([{ field: 'applicant', envelope: misfiled }])))).rejects.toMatchObject(refusal('tampered'));
    // Signed and sealed properly, but not what a reader accepts in the field.
    const notAnApplicant = sealField('Amina', { entity: 'visa_request', recordId: sealed.recordId, field: 'applicant' }, dataKey);
    await expect(openAsBob(asServed(resign([{ field: 'applicant', envelope: notAnApplicant }])))).rejects.toMatchObject(refusal('malformed'));
    forgetDataKey(dataKey);
  });

  it('refuses a revision by a non-member, even one holding a self-signed grant, and accepts one vouched for by a trusted member', async () => {
    const { sealed, dataKey } = sealByAlice();
    forgetDataKey(dataKey);
    const byMallory = signRevision({ ...sealed.revision, authorUserId: mallory.userId }, mallory.keys.signSecretKey);
    const asMallory: ServedRecord = { ...served(sealed, mallory, alice), revision: byMallory };
    await expect(openAsBob(asMallory)).rejects.toBeInstanceOf(UnverifiedAuthorError);
    const selfGranted = grantTeamSeed(embassyTeam, { ...mallory.keys, userId: mallory.userId }, { userId: mallory.userId, signSecretKey: mallory.keys.signSecretKey });
    server.answer(`/keys/users/${mallory.userId}`, () => directoryEntry(mallory, EMBASSY, [heldGrant(selfGranted, mallory)]));
    pinOwnTeamKeys(bobSession, [embassyTeam], bob.userId);
    await expect(openAsBob(asMallory)).rejects.toBeInstanceOf(UnverifiedAuthorError);
    // Claiming the trusted author's name does not help: the revision names Mallory.
    await expect(openAsBob({ ...asMallory, author: signer(alice) })).rejects.toMatchObject(refusal('mismatch'));

    // Dave was granted the embassy's key by Bob: Bob's device accepts Dave through that grant.
    const dave = newMember('dave');
    const byBob = grantTeamSeed(embassyTeam, { ...dave.keys, userId: dave.userId }, { userId: bob.userId, signSecretKey: bob.keys.signSecretKey });
    server.answer(`/keys/users/${dave.userId}`, () => directoryEntry(dave, EMBASSY, [heldGrant(byBob, bob)]));
    const byDave = signRevision({ ...sealed.revision, authorUserId: dave.userId }, dave.keys.signSecretKey);
    const embassy = await OwnScope.open(bobSession, lent(embassyTeam));
    const opened = await openRecord(bobSession, VISA_REQUEST, { ...served(sealed, dave, alice), revision: byDave }, embassy);
    expect(opened.author).toMatchObject({ userId: dave.userId, verification: 'grant', label: 'dave <dave@example.org> (Embassy)' });
  });

  it('checks the record as a whole before unwrapping: record, revision, key, scope, generation, rollback', async () => {
    const { sealed, dataKey } = sealByAlice();
    forgetDataKey(dataKey);
    const good = served(sealed, alice, alice);
    await expect(openAsBob({ ...good, revision: { ...good.revision, recordId: randomUuid() } })).rejects.toMatchObject(refusal('mismatch'));
    await expect(openAsBob({ ...good, revisionNumber: 2 })).rejects.toMatchObject(refusal('mismatch'));
    await expect(openAsBob({ ...good, keyId: randomUuid() })).rejects.toMatchObject(refusal('mismatch'));
    await expect(openAsBob({ ...good, wraps: good.wraps.slice(0, 1) })).rejects.toMatchObject(refusal('wrong_key'));
    await expect(openAsBob(good, [createTeam(EMBASSY)])).rejects.toMatchObject(refusal('wrong_key'));
    // A wrap of an older generation opens with the key reached through the history.
    const nextGeneration = { ...createTeam(EMBASSY), generation: 2 };
    await expect(openAsBob(good, [nextGeneration, embassyTeam])).resolves.toEqual(CONTENT);

    await expect(openAsBob({ ...good, version: 3 })).resolves.toEqual(CONTENT);
    await expect(openAsBob({ ...good, version: 2 })).rejects.toBeInstanceOf(RollbackError);
  });
});

describe('revisions of an existing record', () => {
  it('re-seals the changed fields only, signs the whole list as the next revision, and re-indexes when an indexed value changed', async () => {
    const { sealed, dataKey } = sealByAlice();
    forgetDataKey(dataKey);
    const embassy = await OwnScope.open(bobSession, lent(embassyTeam));
    const bobAuthor = authorOf(bobSession);
    const key = await openRecordKey(bobSession, VISA_REQUEST, served(sealed, alice, alice), embassy);
    try {
      const dropped = sealNextRevision(bobAuthor, VISA_REQUEST, key, { purpose: null });
      expect(dropped.revision).toMatchObject({ version: 2, authorUserId: bob.userId, envelopes: [sealed.revision.envelopes[0]] });
      expect(dropped.blindIndexes).toBeUndefined();

      const applicant = { fullName: 'Amina Yusuf', passportNumbers: ['B7654321'] };
      const changed = sealNextRevision(bobAuthor, VISA_REQUEST, key, { applicant }, embassyTeam);
      expect(changed.revision.envelopes[0].envelope).not.toBe(sealed.revision.envelopes[0].envelope);
      expect(changed.revision.envelopes[1]).toEqual(sealed.revision.envelopes[1]);
      expect(changed.blindIndexes).toEqual(recordBlindIndexes(VISA_REQUEST.blindIndexes!, { applicant }, embassyTeam));
      const reopened = await openRecord(bobSession, VISA_REQUEST, { ...served(sealed, bob, alice), revision: changed.revision, version: 2 }, embassy);
      expect(reopened).toMatchObject({ revision: 2, content: { applicant, purpose: CONTENT.purpose }, author: { userId: bob.userId, verification: 'self' } });

      expect(() => sealNextRevision(bobAuthor, VISA_REQUEST, key, { applicant: null })).toThrow('applicant cannot be removed');
      // What is kept is signed again as Bob's: it must verify first.
      const forged = { ...key, revision: { ...key.revision, signature: flipLastByte(key.revision.signature) } };
      expect(() => sealNextRevision(bobAuthor, VISA_REQUEST, forged, { purpose: 'x' })).toThrow(RecordIntegrityError);
    } finally {
      forgetDataKey(key.dataKey);
    }
  });

  it("seals and opens a record under another record's key (a timeline event), bound to its own id", async () => {
    const { sealed, dataKey } = sealByAlice();
    const noteId = randomUuid();
    const revision = sealRevisionUnderKey(authorOf({ user: { id: alice.userId }, keys: alice.keys }), VISA_NOTE, { recordId: noteId, version: 1, content: { body: null } }, dataKey);
    expect(revision).toMatchObject({ entity: 'visa_note', recordId: noteId, version: 1, envelopes: [{ field: 'body' }] });
    await expect(openRevisionUnderKey(bobSession, VISA_NOTE, { recordId: noteId, revision, author: signer(alice) }, dataKey)).resolves.toMatchObject({
      content: { body: null },
      author: { userId: alice.userId },
    });
    await expect(openRevisionUnderKey(bobSession, VISA_NOTE, { recordId: sealed.recordId, revision, author: signer(alice) }, dataKey)).rejects.toMatchObject(refusal('mismatch'));
    forgetDataKey(dataKey);
  });

  it('confirms an unsigned wrap only when the record it names checks out under that key', async () => {
    const { sealed, dataKey } = sealByAlice();
    const record = served(sealed, alice, alice);
    const check = wrapRecordCheck(bobSession, VISA_REQUEST, (recordId) => Promise.resolve(recordId === sealed.recordId ? record : null));
    const [, wrap] = sealed.wraps;
    await expect(check(wrap, dataKey)).resolves.toBe(true);
    await expect(check({ ...wrap, entity: 'case' }, dataKey)).resolves.toBe(false);
    await expect(check({ ...wrap, recordId: randomUuid() }, dataKey)).resolves.toBe(false);
    const other = sealByAlice();
    await expect(check(wrap, other.dataKey)).resolves.toBe(false);
    const unknownAuthor = wrapRecordCheck(bobSession, VISA_REQUEST, () => Promise.resolve({ ...record, author: signer(mallory) }));
    await expect(unknownAuthor(wrap, dataKey)).resolves.toBe(false);
    forgetDataKey(dataKey);
    forgetDataKey(other.dataKey);
  });
});

describe('reader scopes and the stale-generation retry', () => {
  it("accepts another scope's key only pinned or confirmed by its fingerprint, and a newer generation only if pinned", async () => {
    const aliceSession = await signIn(alice, ORGANISATION, server);
    let served = embassyTeam;
    server.answer(`/keys/teams/${EMBASSY}`, () => teamDirectory(served));
    const fingerprint = teamKeyFingerprint(EMBASSY, 1, embassyTeam.boxPublicKey);
    await expect(OtherScope.accept(aliceSession, EMBASSY)).rejects.toBeInstanceOf(UnverifiedAuthorError);
    await expect(OtherScope.accept(aliceSession, EMBASSY, teamKeyFingerprint(ORGANISATION, 1, organisationTeam.boxPublicKey))).rejects.toBeInstanceOf(
      TeamFingerprintMismatchError,
    );
    const embassy = await OtherScope.accept(aliceSession, EMBASSY, fingerprint);
    expect(aliceSession.trust.teamKey(EMBASSY, 1)).toMatchObject({ verification: 'fingerprint', fingerprint });
    await expect(embassy.refresh()).resolves.toBe(false);

    const rotated = { ...createTeam(EMBASSY), generation: 2 };
    served = rotated;
    await expect(embassy.refresh()).rejects.toBeInstanceOf(UnverifiedAuthorError);
    await OtherScope.accept(aliceSession, EMBASSY, teamKeyFingerprint(EMBASSY, 2, rotated.boxPublicKey));
    await expect(embassy.refresh()).resolves.toBe(true);
    expect(embassy.current.generation).toBe(2);

    served = { ...createTeam(EMBASSY), generation: 2 };
    await expect(embassy.refresh()).rejects.toBeInstanceOf(KeyChangedError);
  });

  it('re-wraps and re-indexes under the refreshed generation and sends once more; envelopes and signature stay', async () => {
    const aliceSession = await signIn(alice, ORGANISATION, server);
    // The organisation rotated to generation 2 after Alice opened generation 1.
    const rotation = rotateTeam({
      current: organisationTeam,
      sealedDataKeys: [],
      remainingMembers: [{ userId: alice.userId, boxPublicKey: alice.keys.boxPublicKey, signPublicKey: alice.keys.signPublicKey }],
      rotatedBy: { userId: alice.userId, signSecretKey: alice.keys.signSecretKey },
    });
    const mine: MyTeamKeysResponse = { scopeId: ORGANISATION, currentGeneration: 2, grants: [heldGrant(rotation.grants[0], alice)], historyLinks: [rotation.historyLink] };
    server.answer('/keys/team/grants/mine', () => mine);
    server.answer(`/keys/teams/${EMBASSY}`, () => teamDirectory(embassyTeam));
    const embassy = await OtherScope.accept(aliceSession, EMBASSY, teamKeyFingerprint(EMBASSY, 1, embassyTeam.boxPublicKey));
    const stillOpen = lent(organisationTeam);
    const organisation = await OwnScope.open(aliceSession, stillOpen);

    const sent: SealedNewRecord<'passport'>[] = [];
    const result = await sendNewRecord(authorOf(aliceSession), VISA_REQUEST, { content: CONTENT, readers: [organisation, embassy], indexedBy: organisation }, (sealed) => {
      sent.push(sealed);
      if (sent.length === 1) {
        return Promise.reject(new EgideApiError(409, { type: 'urn:egide:problem:conflict', title: 'Conflict', status: 409, detail: 'x', reason: 'stale-generation' }));
      }
      return Promise.resolve('created');
    });
    expect(result).toBe('created');
    const [first, second] = sent;
    expect(first.wraps.map((wrap) => wrap.generation)).toEqual([1, 1]);
    expect(second.wraps.map((wrap) => [wrap.scopeId, wrap.generation])).toEqual([
      [ORGANISATION, 2],
      [EMBASSY, 1],
    ]);
    expect([second.recordId, second.keyId, second.revision]).toEqual([first.recordId, first.keyId, first.revision]);
    expect(second.blindIndexes).toEqual(recordBlindIndexes(VISA_REQUEST.blindIndexes!, CONTENT, rotation.next));
    expect(second.blindIndexes).not.toEqual(first.blindIndexes);
    // The new wrap opens with generation 2 to the key the (unchanged) revision opens under.
    const dataKey = openSealedDataKey(second.wraps[0], rotation.next);
    expect(openRevision(second.revision, alice.keys.signPublicKey, dataKey)).toEqual({ applicant: CONTENT.applicant, purpose: CONTENT.purpose });
    forgetDataKey(dataKey);

    // Keys the caller lent stay theirs; keys opened by the refresh are erased on release.
    const refreshed = organisation.current;
    expect(refreshed.generation).toBe(2);
    organisation.release();
    expect(refreshed.seed.every((byte) => byte === 0)).toBe(true);
    expect(stillOpen.current.seed.some((byte) => byte !== 0)).toBe(true);
  });
});
