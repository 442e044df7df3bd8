/**
 * The team key flows of a signed-in member, on the client: create generation 1 of the
 * scope, list members waiting for a key, grant one (a version-2 grant, vouching for both
 * of their keys) after the user has compared their fingerprint out of band, open one's
 * team keys and their history, rotate the scope re-sealing and re-signing every data key
 * in chunks (resuming a rotation stopped half way), and re-sign the wraps written before
 * protocol 2. The crypto is src/client/crypto's;
 * this module only fetches, checks what a hostile server could substitute, and sends.
 *
 * It must never send a seed or a secret key, never grant to a key whose fingerprint the
 * user has not confirmed, never accept a grant it signed itself under a key that is not
 * its own, and never sign a wrap its caller has not confirmed belongs to its record.
 */
import sodium from 'libsodium-wrappers-sumo';
import { bytesEqual, fromBase64UrlOfLength, toBase64Url } from '../crypto/binary-encoding';
import { fingerprintsMatch, userKeyFingerprint } from '../crypto/fingerprint';
import type { SignedDataKeyWrap, StoredDataKeyWrap } from '../crypto/data-key-wrap-payload';
import { BOX_PUBLIC_KEY_BYTES, SIGN_PUBLIC_KEY_BYTES } from '../crypto/protocol-constants';
import { WrongKeyError } from '../crypto/protocol-errors';
import { readyCrypto } from '../crypto/protocol-hash';
import type { RotationResponse } from '../keys/dto/rotation.response';
import type { TeamPublicKeyResponse } from '../keys/dto/team-key.response';
import type { TeamMemberResponse } from '../keys/dto/team-members.response';
import {
  beginTeamRotation,
  createTeam,
  grantTeamSeed,
  openSealedDataKey,
  openTeamGrant,
  resealDataKeys,
  signDataKeyWrap,
  verifyDataKeyWrap,
  walkTeamHistory,
  type DataKey,
  type TeamKeys,
} from './crypto';
import { EgideApiError, type HttpClient } from './http-client';
import { KeysApi } from './keys-api';
import { pinOwnTeamKeys, pinVerifiedMember, trustedGranterKeys, trustedSignKeysOf, verifiedUnderAny, type TrustingSession } from './trusted-keys';
import { UnverifiedAuthorError } from './trust-store';

/** What the flows need of a signed-in session (EgideSession has it): the keys, the server, the trust store. */
export interface KeyHolderSession extends TrustingSession {
  readonly http: HttpClient;
}

/**
 * Decides on a wrap that nothing else vouches for (written before protocol 2, or by a
 * writer this device cannot trust): true only when the record it names checks out — its
 * current revision verifies against a trusted author and opens under `dataKey`
 * (case-flow.ts `confirmCaseWrap` for cases).
 */
export type WrapRecordCheck = (wrap: StoredDataKeyWrap, dataKey: DataKey) => Promise<boolean>;

/** This member holds no grant of its scope's current generation yet: a member must grant it. */
export class NoTeamGrantError extends WrongKeyError {
  constructor(
    readonly scopeId: string,
    readonly generation: number,
  ) {
    super(`no grant of generation ${generation} for this member yet`);
    this.name = 'NoTeamGrantError';
  }
}

/** The member's fingerprint as shown by the server is not what the user confirmed. */
export class FingerprintMismatchError extends Error {
  constructor(readonly userId: string) {
    super(`the fingerprint of ${userId} does not match the one confirmed; no key was granted`);
    this.name = 'FingerprintMismatchError';
  }
}

export interface MyTeamKeys {
  /** The current generation's keys. */
  readonly current: TeamKeys;
  /** Every generation from the current one back to 1, newest first (current included). */
  readonly history: readonly TeamKeys[];
}

/**
 * What a rotation reports as it goes: `checking` while every data key's wrap is checked
 * before anything is sent (a new rotation), `started` once generation g+1 is current (a new
 * rotation) or found in progress (`resumed`), `resealing` after every chunk the server
 * accepted (`done` of `total` data keys of generation g), `completing`, `done`.
 */
export type RotationProgress =
  | { readonly stage: 'opening-keys' }
  | { readonly stage: 'checking'; readonly checked: number }
  | { readonly stage: 'started'; readonly rotationId: string; readonly generation: number; readonly total: number; readonly resumed: boolean }
  | { readonly stage: 'resealing'; readonly rotationId: string; readonly generation: number; readonly done: number; readonly total: number }
  | { readonly stage: 'completing'; readonly rotationId: string; readonly generation: number }
  | { readonly stage: 'done'; readonly generation: number };

/** The server's cap on a rotation chunk and on a page of data keys (MAX_ROTATION_CHUNK, not imported: server code). */
export const ROTATION_CHUNK_MAX = 500;

export interface RotationOptions {
  /** Data keys per page and chunk, 1 … 500 (default 500). */
  readonly chunkSize?: number;
}

export interface RotationOutcome {
  /** The keys of the generation the scope now stands at. */
  readonly next: TeamKeys;
  /** The completed rotation. */
  readonly response: RotationResponse;
  /** A rotation found in progress and finished first (rotateTeam), if there was one. */
  readonly resumed: RotationResponse | null;
}

function apiOf(session: KeyHolderSession): KeysApi {
  return new KeysApi(session.http);
}

function ownScopeId(session: KeyHolderSession): string {
  const scopeId = session.user.scope.id;
  if (scopeId === null) throw new Error('this account belongs to no scope and holds no team key');
  return scopeId;
}

/** Refuses a member whose listed fingerprint is not derived from the listed keys. */
function assertConsistentMember(member: TeamMemberResponse): { box: Uint8Array; sign: Uint8Array } {
  const box = fromBase64UrlOfLength(member.boxPublicKey, BOX_PUBLIC_KEY_BYTES, 'boxPublicKey');
  const sign = fromBase64UrlOfLength(member.signPublicKey, SIGN_PUBLIC_KEY_BYTES, 'signPublicKey');
  if (userKeyFingerprint(box, sign) !== member.fingerprint) throw new FingerprintMismatchError(member.userId);
  return { box, sign };
}

/** The first member of a scope creates generation 1 and grants it to themself. */
export async function bootstrapTeam(session: KeyHolderSession): Promise<{ team: TeamKeys; response: TeamPublicKeyResponse }> {
  await readyCrypto();
  const team = createTeam(ownScopeId(session));
  const grant = grantTeamSeed(
    team,
    { userId: session.user.id, boxPublicKey: session.keys.boxPublicKey, signPublicKey: session.keys.signPublicKey },
    { userId: session.user.id, signSecretKey: session.keys.signSecretKey },
  );
  const response = await apiOf(session).createTeam({ teamBoxPublicKey: toBase64Url(team.boxPublicKey), grant });
  return { team, response };
}

/** Members of my scope waiting for the current generation, with the fingerprints to compare. */
export async function pendingMembers(session: KeyHolderSession): Promise<TeamMemberResponse[]> {
  return (await apiOf(session).pendingMembers()).members;
}

/**
 * Grants my scope's current team seed to `member`, but only if `expectedFingerprint`
 * (what the user read out of band and typed or confirmed) matches the member's keys.
 */
export async function grantTo(session: KeyHolderSession, member: TeamMemberResponse, expectedFingerprint: string): Promise<void> {
  await readyCrypto();
  const { box, sign } = assertConsistentMember(member);
  if (!fingerprintsMatch(member.fingerprint, expectedFingerprint)) throw new FingerprintMismatchError(member.userId);
  const { current } = await openMyTeamKeys(session);
  const grant = grantTeamSeed(
    current,
    { userId: member.userId, boxPublicKey: box, signPublicKey: sign },
    { userId: session.user.id, signSecretKey: session.keys.signSecretKey },
  );
  await apiOf(session).createGrant(grant);
  // The user compared this member's fingerprint: what they sign is theirs from now on.
  pinVerifiedMember(session, { ...member, scopeId: current.scopeId });
  await session.trust.save();
}

/**
 * Opens my grant of the current generation and walks the history links back to
 * generation 1, trusting the grant only when it is of my own scope and under a granter
 * key this device decided on (trusted-keys.ts: self, pinned, vouched, or first use on a
 * device that trusts no team key yet), then pins every generation's team key
 * (KeyChangedError if one differs from what was pinned before).
 */
export async function openMyTeamKeys(session: KeyHolderSession): Promise<MyTeamKeys> {
  await readyCrypto();
  const scopeId = ownScopeId(session).toLowerCase();
  const mine = await apiOf(session).myTeamKeys();
  const held = mine.grants.find((entry) => entry.grant.generation === mine.currentGeneration);
  if (held === undefined) throw new NoTeamGrantError(mine.scopeId, mine.currentGeneration);
  // A grant of another scope (a team the server made up) is no grant of mine, whoever signed it.
  if (mine.scopeId.toLowerCase() !== scopeId || held.grant.scopeId.toLowerCase() !== scopeId) {
    throw new WrongKeyError(`the grant served is for scope ${held.grant.scopeId}, not this member's scope ${scopeId}`);
  }
  const open = (by: { granterSignPublicKey: Uint8Array } | { trustedTeamBoxPublicKey: Uint8Array }): MyTeamKeys => {
    const current = openTeamGrant(held.grant, { recipientUserId: session.user.id, recipientKeys: session.keys, ...by });
    return { current, history: walkTeamHistory(current, mine.historyLinks) };
  };
  const pinned = session.trust.teamKey(scopeId, held.grant.generation);
  // A generation this device already trusts needs no granter: a seed that derives its key
  // is the team's, whoever signed (a re-enrolled granter's old grants keep opening). Else
  // the granter's current key, then any old one the user chose to keep.
  const keys =
    pinned !== undefined && pinned.verification === 'grant'
      ? open({ trustedTeamBoxPublicKey: fromBase64UrlOfLength(pinned.teamBoxPublicKey, BOX_PUBLIC_KEY_BYTES, 'teamBoxPublicKey') })
      : verifiedUnderAny(await trustedGranterKeys(session, held), (granterSignPublicKey) => open({ granterSignPublicKey }));
  pinOwnTeamKeys(session, keys.history, held.grant.granterUserId);
  await session.trust.save();
  return keys;
}

/** Every data key of my scope, each with its newest wrap, page by page. */
async function allDataKeys(api: KeysApi): Promise<StoredDataKeyWrap[]> {
  const all: StoredDataKeyWrap[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await api.dataKeys({ after });
    all.push(...page.dataKeys);
    if (page.nextAfter === null) return all;
    after = page.nextAfter;
  }
}

/**
 * Whether I may sign `wrap` as mine in a rotation: its writer's signature verifies under
 * the writer's trusted keys; or, when it has none or nothing vouches for its writer, the
 * record it names checks out (`checkRecord`). Anything else stops the rotation: a wrap
 * the server slipped into the list must never come out signed by a member. `writers`
 * caches each writer's trusted keys for the rotation.
 */
async function assertWrapTrusted(
  session: KeyHolderSession,
  wrap: StoredDataKeyWrap,
  previous: TeamKeys,
  checkRecord: WrapRecordCheck,
  writers: Map<string, Uint8Array[] | null>,
): Promise<void> {
  if (wrap.writerUserId !== null && wrap.signature !== null) {
    let writerKeys = writers.get(wrap.writerUserId);
    if (writerKeys === undefined) {
      try {
        writerKeys = await trustedSignKeysOf(session, wrap.writerUserId);
      } catch (error) {
        if (!(error instanceof UnverifiedAuthorError)) throw error;
        writerKeys = null;
      }
      writers.set(wrap.writerUserId, writerKeys);
    }
    if (writerKeys !== null) {
      verifiedUnderAny(writerKeys, (key) => verifyDataKeyWrap(wrap as SignedDataKeyWrap, key));
      return;
    }
  }
  const dataKey = openSealedDataKey(wrap, previous);
  try {
    if (await checkRecord(wrap, dataKey)) return;
  } finally {
    dataKey.key.fill(0);
  }
  throw new UnverifiedAuthorError(
    { kind: 'member', id: wrap.writerUserId ?? wrap.recordId, label: `the writer of the key of ${wrap.entity} ${wrap.recordId}` },
    null,
  );
}

function chunkSizeOf(options: RotationOptions): number {
  const size = options.chunkSize ?? ROTATION_CHUNK_MAX;
  if (!Number.isInteger(size) || size < 1 || size > ROTATION_CHUNK_MAX) throw new RangeError(`chunkSize must be an integer from 1 to ${ROTATION_CHUNK_MAX}`);
  return size;
}

/** A prefetched request whose failure is reported when (and only if) it is awaited. */
function prefetch<T>(request: Promise<T>): () => Promise<T> {
  const settled = request.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  return async () => {
    const result = await settled;
    if (!result.ok) throw result.error;
    return result.value;
  };
}

function isRotationIncomplete(error: unknown): boolean {
  return error instanceof EgideApiError && error.status === 409 && error.problem.reason === 'rotation-incomplete';
}

/** What identifies a served wrap byte for byte: a wrap checked before the start is not checked again unless it changed. */
function wrapDigest(wrap: StoredDataKeyWrap): string {
  const text = [wrap.keyId, wrap.scopeId, wrap.generation, wrap.sealed, wrap.entity, wrap.recordId, wrap.writerUserId ?? '', wrap.signature ?? ''].join('|');
  return toBase64Url(sodium.crypto_generichash(16, sodium.from_string(text), null));
}

/**
 * Before a rotation starts, every data key of my scope is checked (assertWrapTrusted):
 * one wrap nothing vouches for stops the rotation before anything is sent, as it did
 * when a rotation was one request. Returns the digests of the wraps checked, which the
 * re-sealing passes then trust as they are.
 */
async function checkEveryWrap(
  session: KeyHolderSession,
  current: TeamKeys,
  checkRecord: WrapRecordCheck,
  writers: Map<string, Uint8Array[] | null>,
  onProgress: (progress: RotationProgress) => void,
): Promise<Set<string>> {
  const api = apiOf(session);
  const checked = new Set<string>();
  let page = prefetch(api.dataKeys({ limit: ROTATION_CHUNK_MAX }));
  for (;;) {
    const served = await page();
    if (served.nextAfter !== null) page = prefetch(api.dataKeys({ after: served.nextAfter, limit: ROTATION_CHUNK_MAX }));
    for (const wrap of served.dataKeys) {
      if (wrap.scopeId.toLowerCase() !== current.scopeId || wrap.generation !== current.generation) continue;
      await assertWrapTrusted(session, wrap, current, checkRecord, writers);
      checked.add(wrapDigest(wrap));
    }
    onProgress({ stage: 'checking', checked: checked.size });
    if (served.nextAfter === null) return checked;
  }
}

/**
 * Brings every data key still awaiting `rotation` to its new generation, then completes
 * it. Page by page (keyset, by key id): each wrap served must be of my scope and of the
 * previous generation, and trusted (checked before the start, or now by assertWrapTrusted) before it is opened with
 * `previous`, re-sealed to `next` and signed; the chunk is posted while the next page is
 * fetched and sealed. A completion refused because keys still await (a key that arrived
 * in a page already passed) starts another pass, at most three.
 */
async function driveRotation(
  session: KeyHolderSession,
  rotation: RotationResponse,
  previous: TeamKeys,
  next: TeamKeys,
  checkRecord: WrapRecordCheck,
  onProgress: (progress: RotationProgress) => void,
  options: RotationOptions,
  checked: { readonly wraps: ReadonlySet<string>; readonly writers: Map<string, Uint8Array[] | null> } = { wraps: new Set(), writers: new Map() },
): Promise<RotationResponse> {
  const api = apiOf(session);
  const limit = chunkSizeOf(options);
  const signer = { userId: session.user.id, signSecretKey: session.keys.signSecretKey };
  const writers = checked.writers;
  const id = rotation.rotationId;
  const generation = rotation.generation;
  if (next.generation !== generation || previous.generation !== rotation.previousGeneration || next.scopeId !== previous.scopeId) {
    throw new WrongKeyError(`rotation ${id} is from generation ${rotation.previousGeneration} to ${generation}, not the keys at hand`);
  }
  for (let pass = 0; pass < 3; pass += 1) {
    let page = prefetch(api.pendingDataKeys(id, { limit }));
    let posting: Promise<void> = Promise.resolve();
    for (;;) {
      const current = await page();
      if (current.rotationId !== id) throw new WrongKeyError(`the page served is of rotation ${current.rotationId}, not ${id}`);
      if (current.nextAfter !== null) page = prefetch(api.pendingDataKeys(id, { after: current.nextAfter, limit }));
      // A page may be empty and not the last (keys another member re-sealed): go on.
      if (current.dataKeys.length === 0) {
        if (current.nextAfter === null) break;
        continue;
      }
      for (const wrap of current.dataKeys) {
        if (wrap.scopeId.toLowerCase() !== previous.scopeId || wrap.generation !== previous.generation) {
          throw new WrongKeyError(`a data key awaiting rotation ${id} is sealed to ${wrap.scopeId} generation ${wrap.generation}`);
        }
        if (!checked.wraps.has(wrapDigest(wrap))) await assertWrapTrusted(session, wrap, previous, checkRecord, writers);
      }
      const resealedDataKeys = resealDataKeys(current.dataKeys, previous, next, signer);
      await posting;
      posting = api.addRotationChunk(id, { resealedDataKeys }).then((answer) => {
        onProgress({ stage: 'resealing', rotationId: id, generation, done: answer.rotation.dataKeysResealed, total: answer.rotation.dataKeysTotal });
      });
      if (current.nextAfter === null) break;
    }
    await posting;
    onProgress({ stage: 'completing', rotationId: id, generation });
    try {
      return await api.completeRotation(id);
    } catch (error) {
      if (!isRotationIncomplete(error)) throw error;
    }
  }
  throw new Error(`rotation ${id} still has data keys awaiting after three passes`);
}

/**
 * Finishes my scope's rotation in progress, if there is one, from this device: I must
 * hold its new generation (my grant) and reach the previous one (history links). Returns
 * undefined when no rotation is in progress.
 */
export async function resumeRotation(
  session: KeyHolderSession,
  onProgress: (progress: RotationProgress) => void = () => undefined,
  checkRecord: WrapRecordCheck = () => Promise.resolve(false),
  options: RotationOptions = {},
): Promise<{ next: TeamKeys; response: RotationResponse } | undefined> {
  await readyCrypto();
  const api = apiOf(session);
  const inProgress = await api.currentRotation();
  if (inProgress === undefined) return undefined;
  onProgress({ stage: 'opening-keys' });
  const { current, history } = await openMyTeamKeys(session);
  if (current.generation !== inProgress.generation) {
    throw new WrongKeyError(`the rotation in progress is to generation ${inProgress.generation}, but my current key is of generation ${current.generation}`);
  }
  const previous = history.find((team) => team.generation === inProgress.previousGeneration);
  if (previous === undefined) throw new WrongKeyError(`no key of generation ${inProgress.previousGeneration} on this device`);
  onProgress({ stage: 'started', rotationId: inProgress.rotationId, generation: inProgress.generation, total: inProgress.dataKeysTotal, resumed: true });
  onProgress({
    stage: 'resealing',
    rotationId: inProgress.rotationId,
    generation: inProgress.generation,
    done: inProgress.dataKeysResealed,
    total: inProgress.dataKeysTotal,
  });
  const response = await driveRotation(session, inProgress, previous, current, checkRecord, onProgress, options);
  onProgress({ stage: 'done', generation: response.generation });
  return { next: current, response };
}

/**
 * Rotates my scope to generation g+1 (after a member left). A rotation found in progress
 * is finished first (resumeRotation). Then: the member list is checked, generation g+1
 * made after every data key's wrap was checked (nothing is sent if one fails), granted
 * to every member holding g and started on the server — current at once —
 * and every data key of g re-sealed and signed by me for the record its stored wrap
 * names, chunk by chunk, each only once it is trusted (assertWrapTrusted); then completed.
 * A rotation interrupted half way stays in progress on the server: `resumeRotation`, from
 * any device of a member holding both generations, finishes it.
 */
export async function rotateTeam(
  session: KeyHolderSession,
  onProgress: (progress: RotationProgress) => void = () => undefined,
  checkRecord: WrapRecordCheck = () => Promise.resolve(false),
  options: RotationOptions = {},
): Promise<RotationOutcome> {
  await readyCrypto();
  chunkSizeOf(options);
  const api = apiOf(session);
  const resumed = await resumeRotation(session, onProgress, checkRecord, options);
  onProgress({ stage: 'opening-keys' });
  const { current } = await openMyTeamKeys(session);
  const holders = await api.holders();
  if (holders.generation !== current.generation) {
    throw new WrongKeyError(`the member list is for generation ${holders.generation}, not ${current.generation}`);
  }
  const remainingMembers = holders.members.map((member) => {
    const { box, sign } = assertConsistentMember(member);
    return { userId: member.userId, boxPublicKey: box, signPublicKey: sign };
  });
  const me = remainingMembers.find((member) => member.userId === session.user.id);
  if (me === undefined || !bytesEqual(me.boxPublicKey, session.keys.boxPublicKey)) {
    throw new WrongKeyError('the member list does not include this member under their own key');
  }
  const writers = new Map<string, Uint8Array[] | null>();
  const checkedWraps = await checkEveryWrap(session, current, checkRecord, writers, onProgress);
  const start = beginTeamRotation({
    current,
    remainingMembers,
    rotatedBy: { userId: session.user.id, signSecretKey: session.keys.signSecretKey },
  });
  const started = await api.startRotation({
    generation: start.next.generation,
    teamBoxPublicKey: toBase64Url(start.next.boxPublicKey),
    historyLink: start.historyLink,
    grants: start.grants,
  });
  onProgress({ stage: 'started', rotationId: started.rotationId, generation: started.generation, total: started.dataKeysTotal, resumed: false });
  const response =
    started.state === 'COMPLETED'
      ? started
      : await driveRotation(session, started, current, start.next, checkRecord, onProgress, options, { wraps: checkedWraps, writers });
  onProgress({ stage: 'done', generation: response.generation });
  return { next: start.next, response, resumed: resumed?.response ?? null };
}

/** The server's cap on one re-signing request (MAX_WRAP_SIGNATURES of keys/dto/key-limits.ts, not imported: server code). */
const WRAP_SIGNATURES_PER_REQUEST = 500;

export interface ResignProgress {
  /** Unsigned wraps found so far, signed so far. */
  readonly found: number;
  readonly signed: number;
}

/**
 * Re-signs, as their writer, the wraps of my scope written before protocol 2 (unsigned,
 * which readers refuse). Each is opened with my current team key, then `confirm(wrap,
 * dataKey)` decides: it must say yes only once the record the wrap names checks out —
 * its current revision verifies against a trusted author and opens under this key.
 * Declined wraps stay unsigned. Returns how many were signed. The data key handed to
 * `confirm` is erased when it returns.
 */
export async function resignWraps(
  session: KeyHolderSession,
  confirm: WrapRecordCheck,
  onProgress: (progress: ResignProgress) => void = () => undefined,
): Promise<number> {
  await readyCrypto();
  const api = apiOf(session);
  const { current } = await openMyTeamKeys(session);
  const unsigned = (await allDataKeys(api)).filter(
    (wrap) => wrap.signature === null && wrap.generation === current.generation && wrap.scopeId.toLowerCase() === current.scopeId,
  );
  const signatures: { keyId: string; signature: string }[] = [];
  for (const wrap of unsigned) {
    const dataKey = openSealedDataKey(wrap, current);
    let confirmed: boolean;
    try {
      confirmed = await confirm(wrap, dataKey);
    } finally {
      dataKey.key.fill(0);
    }
    if (!confirmed) continue;
    const signed = signDataKeyWrap(wrap, { entity: wrap.entity, recordId: wrap.recordId, writerUserId: session.user.id }, session.keys.signSecretKey);
    signatures.push({ keyId: signed.keyId, signature: signed.signature });
  }
  let done = 0;
  onProgress({ found: unsigned.length, signed: done });
  for (let start = 0; start < signatures.length; start += WRAP_SIGNATURES_PER_REQUEST) {
    const response = await api.resignWraps({ signatures: signatures.slice(start, start + WRAP_SIGNATURES_PER_REQUEST) });
    done += response.resigned;
    onProgress({ found: unsigned.length, signed: done });
  }
  return done;
}
