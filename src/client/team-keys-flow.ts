/**
 * The team key flows of a signed-in member, on the client: create generation 1 of the
 * scope, list members waiting for a key, grant one after the user has compared their
 * fingerprint out of band, open one's team keys and their history, and rotate the
 * scope re-sealing every data key. The crypto is src/client/crypto's; this module only
 * fetches, checks what a hostile server could substitute, and sends.
 *
 * It must never send a seed or a secret key, never grant to a key whose fingerprint the
 * user has not confirmed, and never accept a grant it signed itself under a key that is
 * not its own.
 */
import { bytesEqual, fromBase64Url, fromBase64UrlOfLength, toBase64Url } from '../crypto/binary-encoding';
import { fingerprintsMatch, userKeyFingerprint } from '../crypto/fingerprint';
import type { SealedDataKey } from '../crypto/key-bundles';
import { BOX_PUBLIC_KEY_BYTES, SIGN_PUBLIC_KEY_BYTES } from '../crypto/protocol-constants';
import { BadSignatureError, WrongKeyError } from '../crypto/protocol-errors';
import { readyCrypto } from '../crypto/protocol-hash';
import type { TeamMemberResponse, TeamPublicKeyResponse, RotationResponse } from '../keys/dto/keys-responses.dto';
import { createTeam, grantTeamSeed, openTeamGrant, rotateTeam as rotateTeamKeys, walkTeamHistory, type TeamKeys } from './crypto';
import type { UserKeyPairs } from './crypto/user-keys';
import type { HttpClient } from './http-client';
import { KeysApi } from './keys-api';

/** What the flows need of a signed-in session (EgideSession has it). */
export interface KeyHolderSession {
  readonly user: { readonly id: string; readonly scope: { readonly id: string | null } };
  readonly keys: UserKeyPairs;
  readonly http: HttpClient;
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

export interface OpenTeamKeysOptions {
  /**
   * Decides whether a granter's registered sign key (from the server) is one the user
   * trusts, e.g. against fingerprints pinned on this device. A grant the user made to
   * themself is always checked against their own key, whatever this says.
   */
  trustGranter?: (granterUserId: string, granterSignPublicKey: string) => boolean;
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
    { userId: session.user.id, boxPublicKey: session.keys.boxPublicKey },
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
  const { box } = assertConsistentMember(member);
  if (!fingerprintsMatch(member.fingerprint, expectedFingerprint)) throw new FingerprintMismatchError(member.userId);
  const { current } = await openMyTeamKeys(session);
  const grant = grantTeamSeed(
    current,
    { userId: member.userId, boxPublicKey: box },
    { userId: session.user.id, signSecretKey: session.keys.signSecretKey },
  );
  await apiOf(session).createGrant(grant);
}

/** Opens my grant of the current generation and walks the history links back to generation 1. */
export async function openMyTeamKeys(session: KeyHolderSession, options: OpenTeamKeysOptions = {}): Promise<MyTeamKeys> {
  await readyCrypto();
  const mine = await apiOf(session).myTeamKeys();
  const held = mine.grants.find((entry) => entry.grant.generation === mine.currentGeneration);
  if (held === undefined) throw new WrongKeyError(`no grant of generation ${mine.currentGeneration} for this member yet`);
  const ownSignKey = toBase64Url(session.keys.signPublicKey);
  const selfGranted = held.grant.granterUserId.toLowerCase() === session.user.id.toLowerCase();
  if (selfGranted ? held.granterSignPublicKey !== ownSignKey : options.trustGranter?.(held.grant.granterUserId, held.granterSignPublicKey) === false) {
    throw new BadSignatureError('the grant names a granter key this client does not trust');
  }
  const current = openTeamGrant(held.grant, {
    recipientUserId: session.user.id,
    recipientKeys: session.keys,
    granterSignPublicKey: selfGranted ? session.keys.signPublicKey : fromBase64Url(held.granterSignPublicKey, 'granterSignPublicKey'),
  });
  return { current, history: walkTeamHistory(current, mine.historyLinks) };
}

async function allDataKeys(api: KeysApi, onProgress: (progress: RotationProgress) => void): Promise<SealedDataKey[]> {
  const all: SealedDataKey[] = [];
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
 * Rotates my scope to generation g+1 (after a member left): every data key re-sealed,
 * the history link g+1 → g, and the new seed granted to every member holding g.
 */
export async function rotateTeam(
  session: KeyHolderSession,
  onProgress: (progress: RotationProgress) => void = () => undefined,
): Promise<{ next: TeamKeys; response: RotationResponse }> {
  await readyCrypto();
  const api = apiOf(session);
  onProgress({ stage: 'opening-keys' });
  const { current } = await openMyTeamKeys(session);
  const holders = await api.holders();
  if (holders.generation !== current.generation) {
    throw new WrongKeyError(`the member list is for generation ${holders.generation}, not ${current.generation}`);
  }
  const remainingMembers = holders.members.map((member) => ({ userId: member.userId, boxPublicKey: assertConsistentMember(member).box }));
  const me = remainingMembers.find((member) => member.userId === session.user.id);
  if (me === undefined || !bytesEqual(me.boxPublicKey, session.keys.boxPublicKey)) {
    throw new WrongKeyError('the member list does not include this member under their own key');
  }
  const sealedDataKeys = await allDataKeys(api, onProgress);
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
