/**
 * The trust store: what this device has come to believe about other people's keys, and
 * the highest state of each record it has seen (docs/protocol.md §5.12). The server
 * serves keys; this store decides whose key is whose. It holds, per member relied on,
 * the user id, e-mail, display name, role, scope, public keys, fingerprint, how they were
 * verified and when; per scope and generation the team public key and who granted it;
 * per record the highest version and signed revision seen.
 *
 * Persisted as one opaque blob, sealed under a key derived from the user's own seed
 * (KDF(3, "eguser__", seed)) with XChaCha20-Poly1305 and AD binding it to its format and
 * owner: a file for the CLI, one IndexedDB value for a browser, memory for tests. The
 * storage only ever sees ciphertext.
 *
 * This module owns the state, its encryption and the comparisons that need no network
 * (a pinned key against a served one, a record's state against the highest seen). It
 * must never replace a pinned key silently (only `pinMember`/`pinTeamKey`, called by a
 * verification, do), never lower a record mark, and never write the state in clear.
 */
import sodium from 'libsodium-wrappers-sumo';
import { bytesEqual, encodeLengthPrefixedTuple, fromBase64UrlOfLength, u8, uuidToBytes } from '../crypto/binary-encoding';
import { DomainLabel, KdfContext, KEY_BYTES, NONCE_BYTES, SEED_BYTES, UserSeedSubkey } from '../crypto/protocol-constants';
import { MalformedInputError, TamperedError, UnknownVersionError } from '../crypto/protocol-errors';
import { readyCrypto } from '../crypto/protocol-hash';

const BLOB_VERSION = 1;
/** Both the state's `format` and the first element of the blob's associated data. */
const TRUST_STORE_LABEL = DomainLabel.TrustStoreAssociatedData;

/**
 * How a member's keys came to be trusted:
 * - `self`: the user's own keys, derived from their seed;
 * - `fingerprint`: the fingerprint was compared out of band (at a grant, or `contacts verify`);
 * - `grant`: a version-2 grant naming these keys, signed by an already trusted member;
 * - `first-use`: the granter of the user's own team key, pinned when first seen (to be compared).
 */
export type MemberVerification = 'self' | 'fingerprint' | 'grant' | 'first-use';

export interface PinnedMember {
  readonly userId: string;
  readonly email: string | null;
  readonly displayName: string | null;
  readonly role: string | null;
  readonly scopeId: string | null;
  readonly scopeName: string | null;
  /** X25519 and Ed25519 public keys, base64url. */
  readonly boxPublicKey: string;
  readonly signPublicKey: string;
  readonly fingerprint: string;
  readonly verification: MemberVerification;
  /** For `grant`: the trusted member whose grant vouched for these keys. */
  readonly vouchedBy: string | null;
  /** ISO 8601. */
  readonly verifiedAt: string;
  /**
   * Sign keys this member had before a re-verification (a re-enrolment gives a new key),
   * kept because the user chose to: what they signed then still verifies as theirs.
   * Only keys that were pinned, never keys merely served.
   */
  readonly retiredSignPublicKeys?: readonly string[];
}

/**
 * A team public key of one scope and generation: `grant` when it is the key of a grant
 * this user opened (its seed derives it) or reached through history links from one;
 * `fingerprint` when another scope's key was confirmed out of band by its fingerprint.
 */
export interface PinnedTeamKey {
  readonly scopeId: string;
  readonly generation: number;
  readonly teamBoxPublicKey: string;
  readonly fingerprint: string;
  readonly verification: 'grant' | 'fingerprint';
  readonly grantedBy: string | null;
  readonly verifiedAt: string;
}

/** The highest state of a record seen on this device. */
export interface RecordMark {
  readonly version: number;
  readonly revision: number;
}

export interface TrustState {
  readonly format: typeof TRUST_STORE_LABEL;
  readonly version: typeof BLOB_VERSION;
  readonly ownerUserId: string;
  readonly members: Record<string, PinnedMember>;
  readonly teamKeys: Record<string, PinnedTeamKey>;
  readonly records: Record<string, RecordMark>;
}

/** Where the sealed blob lives: a file, an IndexedDB value, memory. Only ciphertext passes through. */
export interface TrustStorage {
  read(): Promise<Uint8Array | null>;
  write(blob: Uint8Array): Promise<void>;
  /**
   * Keeps an unreadable blob under another name (and returns where), so that a new store
   * can start: after a re-enrolment the user has a new seed and the old store no longer opens.
   */
  setAside?(): Promise<string>;
}

export class MemoryTrustStorage implements TrustStorage {
  private blob: Uint8Array | null = null;

  read(): Promise<Uint8Array | null> {
    return Promise.resolve(this.blob === null ? null : this.blob.slice());
  }

  write(blob: Uint8Array): Promise<void> {
    this.blob = blob.slice();
    return Promise.resolve();
  }
}

/** What the server served for a record, compared with the highest state seen. */
export class RollbackError extends Error {
  constructor(
    readonly entity: string,
    readonly recordId: string,
    readonly seen: RecordMark,
    readonly served: RecordMark,
  ) {
    super(
      `${entity} ${recordId} is served at version ${served.version} (revision ${served.revision}), older than version ${seen.version} (revision ${seen.revision}) already seen on this device`,
    );
    this.name = 'RollbackError';
  }
}

export interface KeySubject {
  readonly kind: 'member' | 'team';
  /** A member's user id, or a team's scope id. */
  readonly id: string;
  /** `Name <e-mail> (scope)` for a member, `team of <scope> generation g` for a team key. */
  readonly label: string;
}

/** A pinned key differs from the one served: nothing signed by the served key is trusted until re-verified. */
export class KeyChangedError extends Error {
  constructor(
    readonly subject: KeySubject,
    readonly pinnedFingerprint: string,
    readonly servedFingerprint: string,
  ) {
    super(`the key of ${subject.label} changed: pinned ${pinnedFingerprint}, now served ${servedFingerprint}`);
    this.name = 'KeyChangedError';
  }
}

/** Nothing trusted vouches for this member's key (or this team key): compare its fingerprint out of band. */
export class UnverifiedAuthorError extends Error {
  constructor(
    readonly subject: KeySubject,
    /** The fingerprint of the keys as served, to compare out of band; null if none could be computed. */
    readonly servedFingerprint: string | null,
  ) {
    super(`nothing on this device vouches for the key of ${subject.label}${servedFingerprint === null ? '' : ` (served fingerprint ${servedFingerprint})`}`);
    this.name = 'UnverifiedAuthorError';
  }
}

/** `Name <e-mail> (scope)`, or as much of it as is known; never a bare id when a name is known. */
export function describeMember(member: Pick<PinnedMember, 'userId' | 'email' | 'displayName' | 'scopeName'>): string {
  const named = member.displayName !== null && member.displayName !== '';
  const who =
    named && member.email !== null ? `${member.displayName} <${member.email}>` : named ? (member.displayName ?? '') : (member.email ?? member.userId);
  return member.scopeName === null ? who : `${who} (${member.scopeName})`;
}

function emptyState(ownerUserId: string): TrustState {
  return { format: TRUST_STORE_LABEL, version: BLOB_VERSION, ownerUserId, members: {}, teamKeys: {}, records: {} };
}

function associatedData(ownerUserId: string): Uint8Array {
  return encodeLengthPrefixedTuple([TRUST_STORE_LABEL, u8(BLOB_VERSION), uuidToBytes(ownerUserId, 'ownerUserId')]);
}

function deriveTrustStoreKey(userSeed: Uint8Array): Uint8Array {
  if (userSeed.length !== SEED_BYTES) throw new MalformedInputError(`a user seed is ${SEED_BYTES} bytes`);
  // A subkey of the user seed beside the two key pairs' seeds (docs/protocol.md §4.3).
  return sodium.crypto_kdf_derive_from_key(KEY_BYTES, UserSeedSubkey.TrustStoreKey, KdfContext.UserSeed, userSeed);
}

/** blob = u8(1) ‖ nonce (24) ‖ XChaCha20-Poly1305(UTF-8(JSON(state)), AD). */
export function sealTrustState(state: TrustState, key: Uint8Array): Uint8Array {
  const nonce = sodium.randombytes_buf(NONCE_BYTES);
  const plaintext = sodium.from_string(JSON.stringify(state));
  try {
    const ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, associatedData(state.ownerUserId), null, nonce, key);
    const blob = new Uint8Array(1 + NONCE_BYTES + ciphertext.length);
    blob[0] = BLOB_VERSION;
    blob.set(nonce, 1);
    blob.set(ciphertext, 1 + NONCE_BYTES);
    return blob;
  } finally {
    sodium.memzero(plaintext);
  }
}

export function openTrustState(blob: Uint8Array, key: Uint8Array, ownerUserId: string): TrustState {
  if (blob.length < 1 + NONCE_BYTES + 16) throw new MalformedInputError('the trust store is too short');
  if (blob[0] !== BLOB_VERSION) throw new UnknownVersionError(`unknown trust store version ${blob[0]}`);
  let plaintext: Uint8Array;
  try {
    plaintext = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      blob.subarray(1 + NONCE_BYTES),
      associatedData(ownerUserId),
      blob.subarray(1, 1 + NONCE_BYTES),
      key,
    );
  } catch {
    throw new TamperedError("the trust store does not open under this user's key (altered, or another user's)");
  }
  try {
    const state = JSON.parse(sodium.to_string(plaintext)) as TrustState;
    if (state.format !== TRUST_STORE_LABEL || state.version !== BLOB_VERSION || state.ownerUserId !== ownerUserId) {
      throw new MalformedInputError('the trust store is not one of this user');
    }
    return state;
  } finally {
    sodium.memzero(plaintext);
  }
}

function teamKeyOf(scopeId: string, generation: number): string {
  return `${scopeId.toLowerCase()}:${generation}`;
}

function recordKeyOf(entity: string, recordId: string): string {
  return `${entity}:${recordId.toLowerCase()}`;
}

export class TrustStore {
  private dirty = false;

  private constructor(
    private readonly storage: TrustStorage,
    private readonly key: Uint8Array,
    private state: TrustState,
  ) {}

  /** Where an unreadable store was set aside when this one started (`open` with `setAsideUnreadable`). */
  setAsidePath: string | null = null;

  /**
   * Opens (or starts) the store of `owner` in `storage`. A blob that does not open is
   * refused (TamperedError) — or, with `setAsideUnreadable` (at a sign-in, where a new
   * seed after a re-enrolment is the likely reason), kept aside by the storage and a new,
   * empty store started: every pin must then be made again, and the caller says so.
   */
  static async open(
    storage: TrustStorage,
    owner: { userId: string; userSeed: Uint8Array },
    options: { setAsideUnreadable?: boolean } = {},
  ): Promise<TrustStore> {
    await readyCrypto();
    const ownerUserId = owner.userId.toLowerCase();
    const key = deriveTrustStoreKey(owner.userSeed);
    const blob = await storage.read();
    if (blob === null) return new TrustStore(storage, key, emptyState(ownerUserId));
    try {
      return new TrustStore(storage, key, openTrustState(blob, key, ownerUserId));
    } catch (error) {
      if (!(error instanceof TamperedError) || options.setAsideUnreadable !== true || storage.setAside === undefined) throw error;
      const store = new TrustStore(storage, key, emptyState(ownerUserId));
      store.setAsidePath = await storage.setAside();
      store.dirty = true;
      return store;
    }
  }

  get ownerUserId(): string {
    return this.state.ownerUserId;
  }

  member(userId: string): PinnedMember | undefined {
    return this.state.members[userId.toLowerCase()];
  }

  members(): PinnedMember[] {
    return Object.values(this.state.members).sort((a, b) => describeMember(a).localeCompare(describeMember(b)));
  }

  /**
   * Pins (or re-pins, after a verification) a member's keys. A replaced sign key is kept
   * as retired only when `keepPreviousKey` says the user chose so; retired keys already
   * kept stay.
   */
  pinMember(
    member: Omit<PinnedMember, 'verifiedAt' | 'retiredSignPublicKeys'>,
    options: { keepPreviousKey?: boolean; at?: Date } = {},
  ): PinnedMember {
    const at = options.at ?? new Date();
    const userId = member.userId.toLowerCase();
    const previous = this.state.members[userId];
    const retired = new Set(previous?.retiredSignPublicKeys ?? []);
    if (options.keepPreviousKey === true && previous !== undefined && previous.signPublicKey !== member.signPublicKey) retired.add(previous.signPublicKey);
    retired.delete(member.signPublicKey);
    const pinned: PinnedMember = {
      ...member,
      userId,
      verifiedAt: at.toISOString(),
      ...(retired.size === 0 ? {} : { retiredSignPublicKeys: [...retired] }),
    };
    this.state = { ...this.state, members: { ...this.state.members, [pinned.userId]: pinned } };
    this.dirty = true;
    return pinned;
  }

  /** Refreshes what the server says about a pinned member (name, e-mail, scope) without touching the keys. */
  updateMemberDetails(userId: string, details: Pick<PinnedMember, 'email' | 'displayName' | 'role' | 'scopeId' | 'scopeName'>): void {
    const current = this.member(userId);
    if (current === undefined) return;
    const next = { ...current, ...details };
    if (JSON.stringify(next) === JSON.stringify(current)) return;
    this.state = { ...this.state, members: { ...this.state.members, [current.userId]: next } };
    this.dirty = true;
  }

  /**
   * The pinned member if the served sign key is the pinned one; KeyChangedError if it
   * is not; undefined if the member is not pinned (the caller decides through the rules).
   */
  checkMemberKey(userId: string, served: { signPublicKey: string; boxPublicKey?: string; fingerprint: string }): PinnedMember | undefined {
    const pinned = this.member(userId);
    if (pinned === undefined) return undefined;
    const sameSign = bytesEqual(fromBase64UrlOfLength(pinned.signPublicKey, 32, 'signPublicKey'), fromBase64UrlOfLength(served.signPublicKey, 32, 'signPublicKey'));
    const sameBox = served.boxPublicKey === undefined || served.boxPublicKey === pinned.boxPublicKey;
    if (!sameSign || !sameBox) {
      throw new KeyChangedError({ kind: 'member', id: pinned.userId, label: describeMember(pinned) }, pinned.fingerprint, served.fingerprint);
    }
    return pinned;
  }

  teamKey(scopeId: string, generation: number): PinnedTeamKey | undefined {
    return this.state.teamKeys[teamKeyOf(scopeId, generation)];
  }

  teamKeys(): PinnedTeamKey[] {
    return Object.values(this.state.teamKeys).sort((a, b) => a.scopeId.localeCompare(b.scopeId) || a.generation - b.generation);
  }

  /**
   * Pins a team key. A different key already pinned for the same scope and generation is
   * a KeyChangedError unless `replace` (an out-of-band confirmation) says otherwise.
   */
  pinTeamKey(team: Omit<PinnedTeamKey, 'verifiedAt'>, options: { replace?: boolean; at?: Date } = {}): PinnedTeamKey {
    const slot = teamKeyOf(team.scopeId, team.generation);
    const existing = this.state.teamKeys[slot];
    if (existing !== undefined && existing.teamBoxPublicKey === team.teamBoxPublicKey) return existing;
    if (existing !== undefined && options.replace !== true) {
      throw new KeyChangedError(
        { kind: 'team', id: existing.scopeId, label: `the team key of ${existing.scopeId} generation ${existing.generation}` },
        existing.fingerprint,
        team.fingerprint,
      );
    }
    const pinned: PinnedTeamKey = { ...team, scopeId: team.scopeId.toLowerCase(), verifiedAt: (options.at ?? new Date()).toISOString() };
    this.state = { ...this.state, teamKeys: { ...this.state.teamKeys, [slot]: pinned } };
    this.dirty = true;
    return pinned;
  }

  recordMark(entity: string, recordId: string): RecordMark | undefined {
    return this.state.records[recordKeyOf(entity, recordId)];
  }

  /** RollbackError if the served state is below the highest seen. Call before trusting the record. */
  checkRecord(entity: string, recordId: string, served: RecordMark): void {
    const seen = this.recordMark(entity, recordId);
    if (seen !== undefined && (served.version < seen.version || served.revision < seen.revision)) {
      throw new RollbackError(entity, recordId.toLowerCase(), seen, served);
    }
  }

  /** Raises the record's mark to what was just verified (never lowers it). */
  noteRecord(entity: string, recordId: string, verified: RecordMark): void {
    const slot = recordKeyOf(entity, recordId);
    const seen = this.state.records[slot];
    const next = { version: Math.max(seen?.version ?? 0, verified.version), revision: Math.max(seen?.revision ?? 0, verified.revision) };
    if (seen !== undefined && seen.version === next.version && seen.revision === next.revision) return;
    this.state = { ...this.state, records: { ...this.state.records, [slot]: next } };
    this.dirty = true;
  }

  /** Writes the sealed state if anything changed since the last save. */
  async save(): Promise<void> {
    if (!this.dirty) return;
    await this.storage.write(sealTrustState(this.state, this.key));
    this.dirty = false;
  }

  /** Forgets the store key (the session is over). */
  lock(): void {
    sodium.memzero(this.key);
  }
}
