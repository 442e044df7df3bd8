/**
 * The trust rules of docs/protocol.md §5.12, applied with the network: which member key
 * signed a record, which team key a grant or another scope's directory entry names,
 * decided against the device's trust store and never against what the server serves
 * alone. A pinned key must match; an unknown member is accepted only through a chain of
 * version-2 grants from trusted members (never a self-signed one); the granter of the
 * user's own team key is pinned on first use when nothing vouches for it; another
 * scope's team key only when pinned or confirmed now by its fingerprint.
 *
 * This module owns those decisions and the pins they produce. It must never return a
 * key it did not decide on by one of these rules, and never re-pin a changed key: only
 * an out-of-band verification (`verifyMember`, `pinOtherTeamKey` with a fingerprint) does.
 */
import { fromBase64UrlOfLength, toBase64Url } from '../crypto/binary-encoding';
import { fingerprintsMatch, teamKeyFingerprint, userKeyFingerprint } from '../crypto/fingerprint';
import { BOX_PUBLIC_KEY_BYTES, SIGN_PUBLIC_KEY_BYTES } from '../crypto/protocol-constants';
import { ProtocolError } from '../crypto/protocol-errors';
import type { HeldGrantResponse } from '../keys/dto/grant.response';
import type { UserPublicKeysResponse } from '../keys/dto/user-public-keys.response';
import { teamPublicKeyFromGrant, toUserPublicKeys, userKeyPairsFingerprint, type TeamKeys, type TeamPublicKey, type UserKeyPairs } from './crypto';
import { EgideApiError } from './http-client';
import type { KeysApi } from './keys-api';
import { describeMember, KeyChangedError, UnverifiedAuthorError, type PinnedMember, type TrustStore } from './trust-store';

/** How far a chain of grants is followed before giving up (docs/protocol.md §5.12). */
export const MAX_VOUCHING_CHAIN = 8;
/** How many directory look-ups one decision may make: a server serving many grants cannot make a read fan out. */
export const MAX_VOUCHING_LOOKUPS = 32;

/** What the trust rules need of a signed-in session (EgideSession has it). */
export interface TrustingSession {
  readonly user: {
    readonly id: string;
    readonly email: string;
    readonly role: string;
    readonly displayName?: string | null;
    readonly scope: { readonly id: string | null };
  };
  readonly keys: UserKeyPairs;
  readonly keysApi: KeysApi;
  readonly trust: TrustStore;
}

/** A signer as a record's response names them: the keys the server has on record. */
export interface ServedSigner {
  readonly userId: string;
  readonly signPublicKey: string;
  readonly boxPublicKey?: string;
  readonly fingerprint: string;
}

function signKeyBytes(key: string): Uint8Array {
  return fromBase64UrlOfLength(key, SIGN_PUBLIC_KEY_BYTES, 'signPublicKey');
}

/** The fingerprint of what was served, computed here (the server's own rendering is not trusted). */
function servedFingerprint(served: { boxPublicKey?: string; signPublicKey: string; fingerprint: string }): string {
  if (served.boxPublicKey === undefined) return served.fingerprint;
  return userKeyFingerprint(fromBase64UrlOfLength(served.boxPublicKey, BOX_PUBLIC_KEY_BYTES, 'boxPublicKey'), signKeyBytes(served.signPublicKey));
}

function memberSubject(userId: string, label?: string): { kind: 'member'; id: string; label: string } {
  return { kind: 'member', id: userId, label: label ?? userId };
}

/** What the directory says about a member besides the keys (shown with them, never trusted for a decision). */
function detailsOf(served: UserPublicKeysResponse): Pick<PinnedMember, 'email' | 'displayName' | 'role' | 'scopeId' | 'scopeName'> {
  return { email: served.email, displayName: served.displayName, role: served.role, scopeId: served.scopeId ?? null, scopeName: served.scopeName };
}

/** The user themself, pinned from their own seed: the root of everything else this device trusts. */
export function pinSelf(session: TrustingSession): PinnedMember {
  const own = toUserPublicKeys(session.keys);
  const pinned = session.trust.member(session.user.id);
  if (pinned !== undefined && pinned.verification === 'self' && pinned.signPublicKey === own.signPublicKey && pinned.boxPublicKey === own.boxPublicKey) {
    return pinned;
  }
  return session.trust.pinMember({
    userId: session.user.id,
    email: session.user.email,
    displayName: session.user.displayName ?? null,
    role: session.user.role,
    // The scope as the server said at the first sign-in on this device: a grant of any
    // other scope is never taken on first use (trustedGranterKeys).
    scopeId: session.user.scope.id?.toLowerCase() ?? null,
    scopeName: null,
    ...own,
    fingerprint: userKeyPairsFingerprint(session.keys),
    verification: 'self',
    vouchedBy: null,
  });
}

async function directoryEntry(session: TrustingSession, userId: string): Promise<UserPublicKeysResponse | undefined> {
  try {
    return await session.keysApi.userKeys(userId);
  } catch (error) {
    if (error instanceof EgideApiError && error.status === 404) return undefined;
    throw error;
  }
}

/**
 * A grant vouches for `served` when it is version 2, names exactly the served keys of
 * this user, is not self-signed, is of a team key this device trusts, and verifies under
 * the granter's trusted key.
 */
async function vouchingGranter(
  session: TrustingSession,
  userId: string,
  served: UserPublicKeysResponse,
  held: HeldGrantResponse,
  depth: number,
  visiting: Readonly<Set<string>>,
  budget: { lookups: number },
): Promise<PinnedMember | undefined> {
  const grant = held.grant;
  const granterId = grant.granterUserId.toLowerCase();
  if (grant.version !== 2 || grant.recipientUserId.toLowerCase() !== userId) return undefined;
  if (grant.recipientBoxPublicKey !== served.boxPublicKey || grant.recipientSignPublicKey !== served.signPublicKey) return undefined;
  if (granterId === userId || visiting.has(granterId)) return undefined;
  const team = session.trust.teamKey(grant.scopeId, grant.generation);
  if (team === undefined || team.teamBoxPublicKey !== grant.teamBoxPublicKey) return undefined;
  let granter: PinnedMember;
  try {
    granter =
      session.trust.checkMemberKey(granterId, {
        signPublicKey: held.granterSignPublicKey,
        boxPublicKey: held.granterBoxPublicKey,
        fingerprint: servedFingerprint({ signPublicKey: held.granterSignPublicKey, boxPublicKey: held.granterBoxPublicKey, fingerprint: held.granterFingerprint }),
      }) ??
      (await vouchFor(session, granterId, depth + 1, new Set([...visiting, userId]), budget));
  } catch (error) {
    // A granter whose key changed, or whom nothing vouches for, vouches for nobody.
    if (error instanceof KeyChangedError || error instanceof UnverifiedAuthorError) return undefined;
    throw error;
  }
  try {
    verifiedUnderAny([granter.signPublicKey, ...(granter.retiredSignPublicKeys ?? [])].map(signKeyBytes), (key) => teamPublicKeyFromGrant(grant, key));
  } catch (error) {
    if (error instanceof ProtocolError) return undefined;
    throw error;
  }
  return granter;
}

/** Follows grants from `userId` up to a trusted member; pins `userId` as vouched on success. */
async function vouchFor(
  session: TrustingSession,
  userId: string,
  depth: number,
  visiting: Readonly<Set<string>>,
  budget: { lookups: number } = { lookups: MAX_VOUCHING_LOOKUPS },
): Promise<PinnedMember> {
  const id = userId.toLowerCase();
  if (depth >= MAX_VOUCHING_CHAIN || budget.lookups <= 0) throw new UnverifiedAuthorError(memberSubject(id), null);
  budget.lookups -= 1;
  const served = await directoryEntry(session, id);
  if (served === undefined) throw new UnverifiedAuthorError(memberSubject(id), null);
  const fingerprint = servedFingerprint(served);
  const label = describeMember({ userId: id, ...detailsOf(served) });
  if (!fingerprintsMatch(fingerprint, served.fingerprint)) throw new UnverifiedAuthorError(memberSubject(id, label), fingerprint);
  for (const held of served.grants) {
    const granter = await vouchingGranter(session, id, served, held, depth, visiting, budget);
    if (granter === undefined) continue;
    return session.trust.pinMember({
      userId: id,
      ...detailsOf(served),
      boxPublicKey: served.boxPublicKey,
      signPublicKey: served.signPublicKey,
      fingerprint,
      verification: 'grant',
      vouchedBy: granter.userId,
    });
  }
  throw new UnverifiedAuthorError(memberSubject(id, label), fingerprint);
}

/**
 * The sign keys to verify `signer`'s signatures with, newest first: the pinned key
 * (KeyChangedError if the served key differs) and the member's retired keys (what they
 * signed before a re-verified key change), or the key a chain of grants vouches for
 * (then pinned), else UnverifiedAuthorError. Never the served key on its own say-so.
 */
export async function trustedSignKeys(session: TrustingSession, signer: ServedSigner): Promise<Uint8Array[]> {
  const userId = signer.userId.toLowerCase();
  const pinned =
    session.trust.checkMemberKey(userId, { signPublicKey: signer.signPublicKey, boxPublicKey: signer.boxPublicKey, fingerprint: servedFingerprint(signer) }) ??
    (await vouchFor(session, userId, 0, new Set()));
  if (pinned.signPublicKey !== signer.signPublicKey) {
    // The directory and the record disagree about one user's key: trust neither.
    throw new KeyChangedError(memberSubject(userId, describeMember(pinned)), pinned.fingerprint, servedFingerprint(signer));
  }
  return [pinned.signPublicKey, ...(pinned.retiredSignPublicKeys ?? [])].map(signKeyBytes);
}

/**
 * The trusted sign keys of a member known only by id (a wrap's writer in a rotation's
 * list): pinned, or vouched for by grants (then pinned), else UnverifiedAuthorError.
 */
export async function trustedSignKeysOf(session: TrustingSession, userId: string): Promise<Uint8Array[]> {
  const pinned = session.trust.member(userId) ?? (await vouchFor(session, userId, 0, new Set()));
  return [pinned.signPublicKey, ...(pinned.retiredSignPublicKeys ?? [])].map(signKeyBytes);
}

/** The first result of `verify` under any of `keys` (a trusted member's current and retired keys); else the first failure. */
export function verifiedUnderAny<T>(keys: readonly Uint8Array[], verify: (key: Uint8Array) => T): T {
  let first: unknown;
  for (const key of keys) {
    try {
      return verify(key);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      first ??= error;
    }
  }
  throw first ?? new Error('no key to verify with');
}

/**
 * The user compared `fingerprint` with the member out of band: pin the member's keys as
 * the server now serves them, if and only if they derive that fingerprint. This is the
 * one way to accept a changed key. `keepPreviousKey`: what the member signed with the
 * replaced key still verifies as theirs — only when the user knows the old key was not
 * lost or seized (a re-enrolment after a forgotten password, not a stolen laptop):
 * whoever holds it could otherwise sign in their name, with the server's help, for ever.
 */
export async function verifyMember(
  session: TrustingSession,
  userId: string,
  fingerprint: string,
  options: { keepPreviousKey?: boolean } = {},
): Promise<PinnedMember> {
  const id = userId.toLowerCase();
  const served = await directoryEntry(session, id);
  if (served === undefined) throw new UnverifiedAuthorError(memberSubject(id), null);
  const computed = servedFingerprint(served);
  if (!fingerprintsMatch(computed, fingerprint)) {
    throw new KeyChangedError(memberSubject(id, describeMember({ userId: id, ...detailsOf(served) })), fingerprint, computed);
  }
  const pinned = session.trust.pinMember(
    {
      userId: id,
      ...detailsOf(served),
      boxPublicKey: served.boxPublicKey,
      signPublicKey: served.signPublicKey,
      fingerprint: computed,
      verification: 'fingerprint',
      vouchedBy: null,
    },
    { keepPreviousKey: options.keepPreviousKey === true },
  );
  await session.trust.save();
  return pinned;
}

/** A member whose fingerprint the user just confirmed (at a grant): pinned as verified. */
export function pinVerifiedMember(
  session: TrustingSession,
  member: { userId: string; boxPublicKey: string; signPublicKey: string } & Partial<Pick<PinnedMember, 'email' | 'displayName' | 'role' | 'scopeId' | 'scopeName'>>,
): PinnedMember {
  return session.trust.pinMember({
    userId: member.userId,
    email: member.email ?? null,
    displayName: member.displayName ?? null,
    role: member.role ?? null,
    scopeId: member.scopeId ?? null,
    scopeName: member.scopeName ?? null,
    boxPublicKey: member.boxPublicKey,
    signPublicKey: member.signPublicKey,
    fingerprint: servedFingerprint({ ...member, fingerprint: '' }),
    verification: 'fingerprint',
    vouchedBy: null,
  });
}

/**
 * Decides on the granter of a grant this user holds, before its seed is trusted (their
 * current key first, then any old key the user chose to keep at a re-verification):
 * the user themself; pinned (must match); vouched for by grants (rule 2); or **pinned on
 * first use** — only while this device trusts no team key at all and the grant is of the
 * user's own scope as pinned at their first sign-in here. Otherwise UnverifiedAuthorError:
 * a rotation by a member nothing vouches for must be confirmed out of band.
 */
export async function trustedGranterKeys(session: TrustingSession, held: HeldGrantResponse): Promise<Uint8Array[]> {
  const granterId = held.grant.granterUserId.toLowerCase();
  if (granterId === session.user.id.toLowerCase()) {
    const self = pinSelf(session);
    return [self.signPublicKey, ...(self.retiredSignPublicKeys ?? [])].map(signKeyBytes);
  }
  const served = { signPublicKey: held.granterSignPublicKey, boxPublicKey: held.granterBoxPublicKey, fingerprint: held.granterFingerprint };
  try {
    return await trustedSignKeys(session, { userId: granterId, ...served });
  } catch (error) {
    if (!(error instanceof UnverifiedAuthorError)) throw error;
  }
  const ownScope = pinSelf(session).scopeId;
  const firstUse = session.trust.teamKeys().every((team) => team.verification !== 'grant') && ownScope !== null && held.grant.scopeId.toLowerCase() === ownScope;
  const entry = firstUse ? await directoryEntry(session, granterId) : undefined;
  if (entry === undefined || entry.signPublicKey !== held.granterSignPublicKey) {
    throw new UnverifiedAuthorError(memberSubject(granterId), servedFingerprint(served));
  }
  session.trust.pinMember({
    userId: granterId,
    ...detailsOf(entry),
    boxPublicKey: entry.boxPublicKey,
    signPublicKey: entry.signPublicKey,
    fingerprint: servedFingerprint(entry),
    verification: 'first-use',
    vouchedBy: null,
  });
  return [signKeyBytes(entry.signPublicKey)];
}

/** Pins the team keys of the user's own scope that a grant and its history links derived. */
export function pinOwnTeamKeys(session: TrustingSession, history: readonly TeamKeys[], grantedBy: string): void {
  for (const team of history) {
    session.trust.pinTeamKey({
      scopeId: team.scopeId,
      generation: team.generation,
      teamBoxPublicKey: toBase64Url(team.boxPublicKey),
      fingerprint: teamKeyFingerprint(team.scopeId, team.generation, team.boxPublicKey),
      verification: 'grant',
      grantedBy: team.generation === history[0].generation ? grantedBy.toLowerCase() : null,
    });
  }
}

/** Thrown when another scope's team key is not the one whose fingerprint the user confirmed. */
export class TeamFingerprintMismatchError extends Error {
  constructor(readonly scopeId: string) {
    super(`the team key of ${scopeId} does not match the confirmed fingerprint; nothing was sealed to it`);
    this.name = 'TeamFingerprintMismatchError';
  }
}

/**
 * Another scope's team public key (to seal a data key to it): accepted if this device
 * pinned it for that scope and generation, or if `confirmedFingerprint` (read out of band
 * by a member of that scope) matches it now — then it is pinned. The same rule for a case
 * transfer, a visa request to an embassy, a placement brief to the network.
 */
export function trustedTeamKeyOfScope(
  session: TrustingSession,
  served: { scopeId: string; generation: number; teamBoxPublicKey: string },
  confirmedFingerprint: string | undefined,
): TeamPublicKey {
  const scopeId = served.scopeId.toLowerCase();
  const boxPublicKey = fromBase64UrlOfLength(served.teamBoxPublicKey, BOX_PUBLIC_KEY_BYTES, 'teamBoxPublicKey');
  const fingerprint = teamKeyFingerprint(scopeId, served.generation, boxPublicKey);
  const pinned = session.trust.teamKey(scopeId, served.generation);
  if (confirmedFingerprint !== undefined) {
    if (!fingerprintsMatch(fingerprint, confirmedFingerprint)) throw new TeamFingerprintMismatchError(scopeId);
    session.trust.pinTeamKey(
      { scopeId, generation: served.generation, teamBoxPublicKey: served.teamBoxPublicKey, fingerprint, verification: 'fingerprint', grantedBy: null },
      { replace: true },
    );
  } else if (pinned === undefined) {
    throw new UnverifiedAuthorError({ kind: 'team', id: scopeId, label: `the team key of ${scopeId} generation ${served.generation}` }, fingerprint);
  } else if (pinned.teamBoxPublicKey !== served.teamBoxPublicKey) {
    throw new KeyChangedError({ kind: 'team', id: scopeId, label: `the team key of ${scopeId} generation ${served.generation}` }, pinned.fingerprint, fingerprint);
  }
  return { scopeId, generation: served.generation, boxPublicKey };
}
