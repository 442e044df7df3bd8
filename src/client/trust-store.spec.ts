import sodium from 'libsodium-wrappers-sumo';
import { readyCrypto } from '../crypto/protocol-hash';
import { TamperedError } from '../crypto/protocol-errors';
import { deriveUserKeyPairs, toUserPublicKeys, userKeyPairsFingerprint } from './crypto';
import { describeMember, KeyChangedError, MemoryTrustStorage, RollbackError, TrustStore, type PinnedMember } from './trust-store';

const OWNER = '6f1c2a3b-4d5e-4f60-8a71-0b2c3d4e5f60';
const OTHER = '0a1b2c3d-4e5f-4061-8273-94a5b6c7d8e9';

function memberOf(seedByte: number, userId = OTHER): Omit<PinnedMember, 'verifiedAt'> {
  const keys = deriveUserKeyPairs(new Uint8Array(32).fill(seedByte));
  return {
    userId,
    email: 'amina@embassy.example',
    displayName: 'Amina Diallo',
    role: 'EMBASSY_CONTACT',
    scopeId: null,
    scopeName: 'Embassy in Nairobi',
    ...toUserPublicKeys(keys),
    fingerprint: userKeyPairsFingerprint(keys),
    verification: 'fingerprint',
    vouchedBy: null,
  };
}

describe('TrustStore', () => {
  const seed = new Uint8Array(32).fill(7);
  beforeAll(readyCrypto);

  it('keeps what it pinned across a save and a reopen, sealed (no e-mail or key in the blob)', async () => {
    const storage = new MemoryTrustStorage();
    const store = await TrustStore.open(storage, { userId: OWNER, userSeed: seed });
    const pinned = store.pinMember(memberOf(1));
    store.noteRecord('case', OTHER, { version: 3, revision: 2 });
    await store.save();
    const blob = await storage.read();
    if (blob === null) throw new Error('nothing written');
    const text = sodium.to_string(blob.subarray(25).map((byte) => (byte >= 32 && byte < 127 ? byte : 46)));
    expect(text).not.toContain('amina');
    expect(text).not.toContain(pinned.signPublicKey);
    const reopened = await TrustStore.open(storage, { userId: OWNER, userSeed: seed });
    expect(reopened.member(OTHER)).toEqual(pinned);
    expect(reopened.recordMark('case', OTHER)).toEqual({ version: 3, revision: 2 });
  });

  it("refuses a blob that another user's seed, another owner or an altered byte would have to open", async () => {
    const storage = new MemoryTrustStorage();
    const store = await TrustStore.open(storage, { userId: OWNER, userSeed: seed });
    store.pinMember(memberOf(1));
    await store.save();
    await expect(TrustStore.open(storage, { userId: OWNER, userSeed: new Uint8Array(32).fill(8) })).rejects.toBeInstanceOf(TamperedError);
    await expect(TrustStore.open(storage, { userId: OTHER, userSeed: seed })).rejects.toBeInstanceOf(TamperedError);
    const blob = await storage.read();
    if (blob === null) throw new Error('nothing written');
    blob[blob.length - 1] ^= 1;
    await storage.write(blob);
    await expect(TrustStore.open(storage, { userId: OWNER, userSeed: seed })).rejects.toBeInstanceOf(TamperedError);
  });

  it('answers a changed key of a pinned member with KeyChangedError naming them and both fingerprints', async () => {
    const store = await TrustStore.open(new MemoryTrustStorage(), { userId: OWNER, userSeed: seed });
    const pinned = store.pinMember(memberOf(1));
    expect(store.checkMemberKey(OTHER, { signPublicKey: pinned.signPublicKey, fingerprint: pinned.fingerprint })).toEqual(pinned);
    const other = memberOf(2);
    let thrown: unknown;
    try {
      store.checkMemberKey(OTHER, { signPublicKey: other.signPublicKey, fingerprint: other.fingerprint });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(KeyChangedError);
    const changed = thrown as KeyChangedError;
    expect(changed.subject.label).toBe('Amina Diallo <amina@embassy.example> (Embassy in Nairobi)');
    expect([changed.pinnedFingerprint, changed.servedFingerprint]).toEqual([pinned.fingerprint, other.fingerprint]);
    expect(store.checkMemberKey(OWNER, { signPublicKey: other.signPublicKey, fingerprint: other.fingerprint })).toBeUndefined();
  });

  it("keeps a re-pinned member's replaced sign key as retired only when asked, and never retires the current one", async () => {
    const store = await TrustStore.open(new MemoryTrustStorage(), { userId: OWNER, userSeed: seed });
    const first = store.pinMember(memberOf(1));
    expect(store.pinMember(memberOf(2)).retiredSignPublicKeys).toBeUndefined();
    store.pinMember(memberOf(1));
    const second = store.pinMember(memberOf(2), { keepPreviousKey: true });
    expect(second.retiredSignPublicKeys).toEqual([first.signPublicKey]);
    const back = store.pinMember(memberOf(1), { keepPreviousKey: true });
    expect(back.retiredSignPublicKeys).toEqual([second.signPublicKey]);
  });

  it('refuses a second team key for one scope and generation unless an out-of-band confirmation replaces it', async () => {
    const store = await TrustStore.open(new MemoryTrustStorage(), { userId: OWNER, userSeed: seed });
    const team = { scopeId: OTHER, generation: 1, teamBoxPublicKey: memberOf(1).boxPublicKey, fingerprint: 'f1', verification: 'grant' as const, grantedBy: null };
    store.pinTeamKey(team);
    expect(() => store.pinTeamKey({ ...team, teamBoxPublicKey: memberOf(2).boxPublicKey, fingerprint: 'f2' })).toThrow(KeyChangedError);
    store.pinTeamKey({ ...team, teamBoxPublicKey: memberOf(2).boxPublicKey, fingerprint: 'f2', verification: 'fingerprint' }, { replace: true });
    expect(store.teamKey(OTHER, 1)?.fingerprint).toBe('f2');
  });

  it('answers a version or revision below the highest seen with RollbackError, and never lowers a mark', async () => {
    const store = await TrustStore.open(new MemoryTrustStorage(), { userId: OWNER, userSeed: seed });
    store.noteRecord('case', OTHER, { version: 5, revision: 3 });
    expect(() => store.checkRecord('case', OTHER, { version: 4, revision: 3 })).toThrow(RollbackError);
    expect(() => store.checkRecord('case', OTHER, { version: 6, revision: 2 })).toThrow(RollbackError);
    expect(() => store.checkRecord('case', OTHER.toUpperCase(), { version: 5, revision: 3 })).not.toThrow();
    store.noteRecord('case', OTHER, { version: 2, revision: 1 });
    expect(store.recordMark('case', OTHER)).toEqual({ version: 5, revision: 3 });
  });

  it('names members by display name, e-mail and scope, falling back to what is known', () => {
    expect(describeMember({ userId: OTHER, email: 'a@x.example', displayName: null, scopeName: null })).toBe('a@x.example');
    expect(describeMember({ userId: OTHER, email: null, displayName: null, scopeName: null })).toBe(OTHER);
  });
});
