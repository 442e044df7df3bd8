/**
 * The team key flows of a signed-in member, on the client: create generation 1 of the
 * scope, list members waiting for a key, grant one (a version-2 grant, vouching for both
 * of their keys) after the user has compared their fingerprint out of band, open one's
 * team keys and their history, rotate the scope re-sealing and re-signing every data key,
 * and re-sign the wraps written before protocol 2. The crypto is src/client/crypto's;
 * this module only fetches, checks what a hostile server could substitute, and sends.
 *
 * It must never send a seed or a secret key, never grant to a key whose fingerprint the
 * user has not confirmed, never accept a grant it signed itself under a key that is not
 * its own, and never sign a wrap its caller has not confirmed belongs to its record.
 */
import { bytesEqual, fromBase64UrlOfLength, toBase64Url } from '../crypto/binary-encoding';
import { fingerprintsMatch, userKeyFingerprint } from '../crypto/fingerprint';
import type { SignedDataKeyWrap, StoredDataKeyWrap } from '../crypto/data-key-wrap-payload';
import { BOX_PUBLIC_KEY_BYTES, SIGN_PUBLIC_KEY_BYTES } from '../crypto/protocol-constants';
import { WrongKeyError } from '../crypto/protocol-errors';
import { readyCrypto } from '../crypto/protocol-hash';
import type { TeamMemberResponse, TeamPublicKeyResponse, RotationResponse } from '../keys/dto/keys-responses.dto';
import {
  createTeam,
  grantTeamSeed,
  openSealedDataKey,
  openTeamGrant,
  rotateTeam as rotateTeamKeys,
  signDataKeyWrap,
  verifyDataKeyWrap,
  walkTeamHistory,
  type DataKey,
  type TeamKeys,
} from './crypto';
import type { HttpClient } from './http-client';
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

export type RotationProgress =
  | { readonly stage: 'opening-keys' }
  | { readonly stage: 'fetching-data-keys'; readonly fetched: number }
  | { readonly stage: 'resealing'; readonly dataKeys: number; readonly members: number }
  | { readonly stage: 'submitting' }
  | { readonly stage: 'done'; readonly generation: number };

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

async function allDataKeys(api: KeysApi, onProgress: (progress: RotationProgress) => void): Promise<StoredDataKeyWrap[]> {
  const all: StoredDataKeyWrap[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await api.dataKeys({ after });
    all.push(...page.dataKeys);
    onProgress({ stage: 'fetching-data-keys', fetched: all.length });
    if (page.nextAfter === null) return all;
    after = page.nextAfter;
  }
}

/**
 * Whether I may sign `wrap` as mine in a rotation: its writer's signature verifies under
 * the writer's trusted keys; or, when it has none or nothing vouches for its writer, the
 * record it names checks out (`checkRecord`). Anything else stops the rotation: a wrap
 * the server slipped into the list must never come out signed by a member.
 */
async function assertWrapTrusted(session: KeyHolderSession, wrap: StoredDataKeyWrap, current: TeamKeys, checkRecord: WrapRecordCheck): Promise<void> {
  if (wrap.writerUserId !== null && wrap.signature !== null) {
    let writerKeys: Uint8Array[] | undefined;
    try {
      writerKeys = await trustedSignKeysOf(session, wrap.writerUserId);
    } catch (error) {
      if (!(error instanceof UnverifiedAuthorError)) throw error;
    }
    if (writerKeys !== undefined) {
      verifiedUnderAny(writerKeys, (key) => verifyDataKeyWrap(wrap as SignedDataKeyWrap, key));
      return;
    }
  }
  const dataKey = openSealedDataKey(wrap, current);
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

/**
 * Rotates my scope to generation g+1 (after a member left): every data key re-sealed and
 * signed by me for the record its stored wrap names — each only once it is trusted
 * (assertWrapTrusted) —, the history link g+1 → g, and the new seed granted to every
 * member holding g.
 */
export async function rotateTeam(
  session: KeyHolderSession,
  onProgress: (progress: RotationProgress) => void = () => undefined,
  checkRecord: WrapRecordCheck = () => Promise.resolve(false),
): Promise<{ next: TeamKeys; response: RotationResponse }> {
  await readyCrypto();
  const api = apiOf(session);
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
  const sealedDataKeys = await allDataKeys(api, onProgress);
  for (const wrap of sealedDataKeys) await assertWrapTrusted(session, wrap, current, checkRecord);
  onProgress({ stage: 'resealing', dataKeys: sealedDataKeys.length, members: remainingMembers.length });
  const rotation = rotateTeamKeys({
    current,
    sealedDataKeys,
    remainingMembers,
    rotatedBy: { userId: session.user.id, signSecretKey: session.keys.signSecretKey },
  });
  onProgress({ stage: 'submitting' });
  const response = await api.rotate({
    generation: rotation.next.generation,
    teamBoxPublicKey: toBase64Url(rotation.next.boxPublicKey),
    historyLink: rotation.historyLink,
    grants: rotation.grants,
    resealedDataKeys: rotation.resealedDataKeys,
  });
  onProgress({ stage: 'done', generation: response.generation });
  return { next: rotation.next, response };
}

/** The server's cap on one re-signing request (MAX_WRAP_SIGNATURES of keys-requests.dto.ts, not imported: server code). */
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
  const unsigned = (await allDataKeys(api, () => undefined)).filter(
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
