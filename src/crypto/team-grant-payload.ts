/**
 * The team key grant as it travels and the exact bytes its granter signs.
 *
 * version 2 (every new grant):
 *   message = tuple("egide-team-grant", u8(2), scopeId 16 bytes, generation u32,
 *                   recipientUserId 16 bytes, recipientBoxPublicKey 32 bytes,
 *                   recipientSignPublicKey 32 bytes, granterUserId 16 bytes,
 *                   teamBoxPublicKey 32 bytes, sealedTeamSeed 80 bytes)
 * version 1 (stored by protocol 1, still opened by its recipient):
 *   the same without recipientSignPublicKey, with u8(1).
 *
 * A version-2 grant vouches for both of the recipient's keys: a reader who trusts the
 * granter can trust what the recipient signs. A version-1 grant vouches for no signing key.
 *
 * This module owns the grant's shape, its structural validation and its canonical
 * signed bytes, so that the server can verify a grant with the granter's public key
 * and refuse one it did not receive from a member. It must never seal or open the team
 * seed; only a member's client can, in src/client/crypto/team-grants.ts.
 */
import {
  BOX_PUBLIC_KEY_BYTES,
  DomainLabel,
  LEGACY_TEAM_GRANT_VERSION,
  SEALED_BOX_OVERHEAD_BYTES,
  SEED_BYTES,
  SIGNATURE_BYTES,
  SIGN_PUBLIC_KEY_BYTES,
  TEAM_GRANT_VERSION,
  type TeamGrantVersion,
} from './protocol-constants';
import { MalformedInputError, UnknownVersionError } from './protocol-errors';
import {
  encodeLengthPrefixedTuple,
  fromBase64UrlOfLength,
  isUuid,
  TupleElement,
  u32be,
  u8,
  uuidToBytes,
} from './binary-encoding';

/** A team seed of one scope and generation, sealed to one member and signed by a member. */
export interface TeamKeyGrant {
  /** 2 for every new grant; 1 only for grants stored under protocol 1. */
  readonly version: TeamGrantVersion;
  readonly scopeId: string;
  readonly generation: number;
  readonly recipientUserId: string;
  /** The recipient's X25519 public key the seed is sealed to, base64url. */
  readonly recipientBoxPublicKey: string;
  /**
   * Version 2 only: the recipient's registered Ed25519 key, which the granter vouches
   * for (compared by fingerprint). Absent from a version-1 grant.
   */
  readonly recipientSignPublicKey?: string;
  readonly granterUserId: string;
  /** The team public key T_g that the seed derives; lets the server seal data keys to it. */
  readonly teamBoxPublicKey: string;
  /** crypto_box_seal(team seed) to the recipient: 80 bytes, base64url. */
  readonly sealedTeamSeed: string;
  /** Ed25519 by the granter over encodeTeamKeyGrantMessage(grant), base64url. */
  readonly signature: string;
}

export type UnsignedTeamKeyGrant = Omit<TeamKeyGrant, 'signature'>;

export const SEALED_TEAM_SEED_BYTES = SEED_BYTES + SEALED_BOX_OVERHEAD_BYTES;

function assertKnownVersion(grant: UnsignedTeamKeyGrant): void {
  if (grant.version !== TEAM_GRANT_VERSION && grant.version !== LEGACY_TEAM_GRANT_VERSION) {
    throw new UnknownVersionError(`unknown grant version ${String(grant.version)}`);
  }
  // Each version has exactly one shape: a v1 grant carrying a sign key (or a v2 without
  // one) would sign other bytes than its reader expects.
  if (grant.version === TEAM_GRANT_VERSION && typeof grant.recipientSignPublicKey !== 'string') {
    throw new MalformedInputError('a version-2 grant names the recipientSignPublicKey');
  }
  if (grant.version === LEGACY_TEAM_GRANT_VERSION && grant.recipientSignPublicKey !== undefined) {
    throw new MalformedInputError('a version-1 grant carries no recipientSignPublicKey');
  }
}

/** Structural checks the server runs before verifying the signature. */
export function validateTeamKeyGrant(grant: TeamKeyGrant): void {
  assertKnownVersion(grant);
  for (const [value, what] of [
    [grant.scopeId, 'scopeId'],
    [grant.recipientUserId, 'recipientUserId'],
    [grant.granterUserId, 'granterUserId'],
  ] as const) {
    if (typeof value !== 'string' || !isUuid(value)) {
      throw new MalformedInputError(`${what} is not a UUID`);
    }
  }
  if (!Number.isInteger(grant.generation) || grant.generation < 1 || grant.generation > 0xffff_ffff) {
    throw new MalformedInputError('generation must be a positive 32-bit integer');
  }
  fromBase64UrlOfLength(grant.recipientBoxPublicKey, BOX_PUBLIC_KEY_BYTES, 'recipientBoxPublicKey');
  if (grant.recipientSignPublicKey !== undefined) {
    fromBase64UrlOfLength(grant.recipientSignPublicKey, SIGN_PUBLIC_KEY_BYTES, 'recipientSignPublicKey');
  }
  fromBase64UrlOfLength(grant.teamBoxPublicKey, BOX_PUBLIC_KEY_BYTES, 'teamBoxPublicKey');
  fromBase64UrlOfLength(grant.sealedTeamSeed, SEALED_TEAM_SEED_BYTES, 'sealedTeamSeed');
  fromBase64UrlOfLength(grant.signature, SIGNATURE_BYTES, 'signature');
}

/** The exact bytes the granter signs (the tuple of the grant's own version). */
export function encodeTeamKeyGrantMessage(grant: UnsignedTeamKeyGrant): Uint8Array {
  assertKnownVersion(grant);
  if (!Number.isInteger(grant.generation) || grant.generation < 1) {
    throw new MalformedInputError('generation must be a positive integer');
  }
  const recipientSignPublicKey: TupleElement[] =
    grant.recipientSignPublicKey === undefined
      ? []
      : [fromBase64UrlOfLength(grant.recipientSignPublicKey, SIGN_PUBLIC_KEY_BYTES, 'recipientSignPublicKey')];
  return encodeLengthPrefixedTuple([
    DomainLabel.GrantSignature,
    u8(grant.version),
    uuidToBytes(grant.scopeId, 'scopeId'),
    u32be(grant.generation),
    uuidToBytes(grant.recipientUserId, 'recipientUserId'),
    fromBase64UrlOfLength(grant.recipientBoxPublicKey, BOX_PUBLIC_KEY_BYTES, 'recipientBoxPublicKey'),
    ...recipientSignPublicKey,
    uuidToBytes(grant.granterUserId, 'granterUserId'),
    fromBase64UrlOfLength(grant.teamBoxPublicKey, BOX_PUBLIC_KEY_BYTES, 'teamBoxPublicKey'),
    fromBase64UrlOfLength(grant.sealedTeamSeed, SEALED_TEAM_SEED_BYTES, 'sealedTeamSeed'),
  ]);
}
