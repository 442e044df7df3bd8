/**
 * Rotating a scope's team key after a member leaves, and walking the history chain.
 *
 * Rotation from generation g to g+1, done by a remaining member's client:
 *   1. a fresh random seed_{g+1} and its keys (team-keys.ts);
 *   2. a history link: seed_g encrypted (XChaCha20-Poly1305) under history key_{g+1},
 *      AD = ("egide-history-link", version, alg, scopeId, g+1, g), so holders of g+1
 *      (including members who join later) can still reach generation g and before;
 *   3. seed_{g+1} granted to each remaining member (team-grants.ts) — steps 1–3 are
 *      `beginTeamRotation`, what a rotation's start sends;
 *   4. every data key sealed to T_g is opened, re-sealed to T_{g+1} and signed by the
 *      rotating member for the record its stored wrap names (protocol 2: writer =
 *      rotator) — `resealDataKeys`, chunk by chunk, from any device holding both.
 * `rotateTeam` does all four at once (the test vectors' worked example draws its random
 * bytes in its order: seed, re-seals, history link, grants).
 *
 * This module owns that sequence. It cannot un-see: what a removed member already read
 * or cached stays with them, and the removed member keeps seed_g; docs/protocol.md says
 * so. It must never re-seal a data key it could not open and verify.
 */
import sodium from 'libsodium-wrappers-sumo';
import {
  Algorithm,
  HistoryLink,
  KEY_BUNDLE_VERSION,
  MalformedInputError,
  NONCE_BYTES,
  SealedDataKey,
  SignedDataKeyWrap,
  TamperedError,
  TeamKeyGrant,
  WRAPPED_SEED_BYTES,
  WrongKeyError,
  encodeHistoryLinkAssociatedData,
  fromBase64UrlOfLength,
  toBase64Url,
  validateHistoryLink,
} from '../../crypto';
import { signDataKeyWrap } from './data-key-wrap-signatures';
import { openSealedDataKey, sealDataKeyToTeam } from './data-keys';
import { RandomSource, systemRandom } from './random-source';
import { unwrapSeedWithAssociatedData, wrapSeedWithAssociatedData } from './seed-wrapping';
import { GrantRecipient, GrantSigner, grantTeamSeed } from './team-grants';
import { TeamKeys, deriveTeamKeys, generateTeamSeed } from './team-keys';

export interface TeamRotation {
  readonly next: TeamKeys;
  /** The scope's data keys sealed to T_{g+1} and signed by the rotator; they replace the generation-g wraps. */
  readonly resealedDataKeys: SignedDataKeyWrap[];
  readonly historyLink: HistoryLink;
  /** seed_{g+1} for each remaining member, signed by the rotating member. */
  readonly grants: TeamKeyGrant[];
}

export function createHistoryLink(
  next: TeamKeys,
  previous: TeamKeys,
  random: RandomSource = systemRandom,
): HistoryLink {
  if (next.scopeId !== previous.scopeId || next.generation !== previous.generation + 1) {
    throw new MalformedInputError('a history link joins consecutive generations of one scope');
  }
  const wrapped = wrapSeedWithAssociatedData(
    previous.seed,
    next.historyKey,
    encodeHistoryLinkAssociatedData(next.scopeId, next.generation, previous.generation),
    random,
  );
  return {
    version: KEY_BUNDLE_VERSION,
    algorithm: Algorithm.XChaCha20Poly1305Ietf,
    scopeId: next.scopeId,
    generation: next.generation,
    previousGeneration: previous.generation,
    nonce: toBase64Url(wrapped.nonce),
    ciphertext: toBase64Url(wrapped.ciphertext),
  };
}

/** Opens the link stored with generation g+1 and returns generation g's keys. */
export function openHistoryLink(link: HistoryLink, next: TeamKeys): TeamKeys {
  validateHistoryLink(link);
  if (link.scopeId.toLowerCase() !== next.scopeId || link.generation !== next.generation) {
    throw new WrongKeyError(`history link belongs to generation ${link.generation}, not ${next.generation}`);
  }
  const seed = unwrapSeedWithAssociatedData(
    {
      nonce: fromBase64UrlOfLength(link.nonce, NONCE_BYTES, 'nonce'),
      ciphertext: fromBase64UrlOfLength(link.ciphertext, WRAPPED_SEED_BYTES, 'wrapped team seed'),
    },
    next.historyKey,
    encodeHistoryLinkAssociatedData(next.scopeId, next.generation, link.previousGeneration),
    () => new TamperedError('history link does not authenticate under this generation'),
  );
  try {
    return deriveTeamKeys(seed, next.scopeId, link.previousGeneration);
  } finally {
    sodium.memzero(seed);
  }
}

/**
 * Every generation from `newest` back to 1, newest first, following the links (one per
 * generation above 1, in any order). A missing link is a WrongKeyError: history stops.
 */
export function walkTeamHistory(newest: TeamKeys, links: readonly HistoryLink[]): TeamKeys[] {
  const byGeneration = new Map(links.map((link) => [link.generation, link]));
  const chain: TeamKeys[] = [newest];
  let current = newest;
  while (current.generation > 1) {
    const link = byGeneration.get(current.generation);
    if (link === undefined) {
      throw new WrongKeyError(`no history link from generation ${current.generation}`);
    }
    current = openHistoryLink(link, current);
    chain.push(current);
  }
  return chain;
}

/** A stored wrap to re-seal: the sealed key and the record its row names. */
export interface RotatingDataKeyWrap extends SealedDataKey {
  readonly entity: string;
  readonly recordId: string;
}

export interface TeamRotationInput {
  readonly current: TeamKeys;
  /** Every data key of the scope, sealed to the current generation, with the record each belongs to. */
  readonly sealedDataKeys: readonly RotatingDataKeyWrap[];
  /** The members who keep access (the rotating member included). */
  readonly remainingMembers: readonly GrantRecipient[];
  readonly rotatedBy: GrantSigner;
}

export interface TeamRotationStart {
  readonly next: TeamKeys;
  readonly historyLink: HistoryLink;
  /** seed_{g+1} for each remaining member, signed by the rotating member. */
  readonly grants: TeamKeyGrant[];
}

/** Steps 1–3: generation g+1, its history link back to g, and its grants. */
export function beginTeamRotation(
  input: Pick<TeamRotationInput, 'current' | 'remainingMembers' | 'rotatedBy'>,
  random: RandomSource = systemRandom,
): TeamRotationStart {
  const next = deriveTeamKeys(generateTeamSeed(random), input.current.scopeId, input.current.generation + 1);
  const historyLink = createHistoryLink(next, input.current, random);
  const grants = input.remainingMembers.map((member) => grantTeamSeed(next, member, input.rotatedBy, random));
  return { next, historyLink, grants };
}

/**
 * Step 4 for some data keys: each opened with `previous` (the generation it is sealed
 * to), re-sealed to `next` and signed by the rotator for the record its wrap names. The
 * caller has decided each wrap is trustworthy (team-keys-flow.ts); the opened keys are
 * erased at once.
 */
export function resealDataKeys(
  sealedDataKeys: readonly RotatingDataKeyWrap[],
  previous: TeamKeys,
  next: TeamKeys,
  rotatedBy: GrantSigner,
  random: RandomSource = systemRandom,
): SignedDataKeyWrap[] {
  return sealedDataKeys.map((sealed) => {
    const dataKey = openSealedDataKey(sealed, previous);
    try {
      return signDataKeyWrap(
        sealDataKeyToTeam(dataKey, next, random),
        { entity: sealed.entity, recordId: sealed.recordId, writerUserId: rotatedBy.userId },
        rotatedBy.signSecretKey,
      );
    } finally {
      sodium.memzero(dataKey.key);
    }
  });
}

export function rotateTeam(input: TeamRotationInput, random: RandomSource = systemRandom): TeamRotation {
  const { current } = input;
  const next = deriveTeamKeys(generateTeamSeed(random), current.scopeId, current.generation + 1);
  const resealedDataKeys = resealDataKeys(input.sealedDataKeys, current, next, input.rotatedBy, random);
  const historyLink = createHistoryLink(next, current, random);
  const grants = input.remainingMembers.map((member) => grantTeamSeed(next, member, input.rotatedBy, random));
  return { next, resealedDataKeys, historyLink, grants };
}
