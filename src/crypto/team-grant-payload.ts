/**
 * The team key grant as it travels and the exact bytes its granter signs.
 *
 * message = tuple("egide-team-grant", version u8, scopeId 16 bytes, generation u32,
 *                 recipientUserId 16 bytes, recipientBoxPublicKey 32 bytes,
 *                 granterUserId 16 bytes, teamBoxPublicKey 32 bytes, sealedTeamSeed 80 bytes)
 *
 * This module owns the grant's shape, its structural validation and its canonical
 * signed bytes, so that the server can verify a grant with the granter's public key
 * and refuse one it did not receive from a member. It must never seal or open the team
 * seed; only a member's client can, in src/client/crypto/team-grants.ts.
 */
import {
  BOX_PUBLIC_KEY_BYTES,
  DomainLabel,
  KEY_BUNDLE_VERSION,
  SEALED_BOX_OVERHEAD_BYTES,
  SEED_BYTES,
  SIGNATURE_BYTES,
} from './protocol-constants';
import { MalformedInputError, UnknownVersionError } from './protocol-errors';
import {
  encodeLengthPrefixedTuple,
  fromBase64UrlOfLength,
  isUuid,
  u32be,
  u8,
  uuidToBytes,
} from './binary-encoding';

/** A team seed of one scope and generation, sealed to one member and signed by a member. */
export interface TeamKeyGrant {
  readonly version: typeof KEY_BUNDLE_VERSION;
  readonly scopeId: string;
  readonly generation: number;
  readonly recipientUserId: string;
  /** The recipient's X25519 public key the seed is sealed to, base64url. */
  readonly recipientBoxPublicKey: string;
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

/** Structural checks the server runs before verifying the signature. */
export function validateTeamKeyGrant(grant: TeamKeyGrant): void {
  if (grant.version !== KEY_BUNDLE_VERSION) {
    throw new UnknownVersionError(`unknown grant version ${grant.version}`);
  }
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
  fromBase64UrlOfLength(grant.teamBoxPublicKey, BOX_PUBLIC_KEY_BYTES, 'teamBoxPublicKey');
  fromBase64UrlOfLength(grant.sealedTeamSeed, SEALED_TEAM_SEED_BYTES, 'sealedTeamSeed');
  fromBase64UrlOfLength(grant.signature, SIGNATURE_BYTES, 'signature');
}

/** The exact bytes the granter signs. */
export function encodeTeamKeyGrantMessage(grant: UnsignedTeamKeyGrant): Uint8Array {
  if (!Number.isInteger(grant.generation) || grant.generation < 1) {
    throw new MalformedInputError('generation must be a positive integer');
  }
  return encodeLengthPrefixedTuple([
    DomainLabel.GrantSignature,
    u8(grant.version),
    uuidToBytes(grant.scopeId, 'scopeId'),
    u32be(grant.generation),
    uuidToBytes(grant.recipientUserId, 'recipientUserId'),
    fromBase64UrlOfLength(grant.recipientBoxPublicKey, BOX_PUBLIC_KEY_BYTES, 'recipientBoxPublicKey'),
    uuidToBytes(grant.granterUserId, 'granterUserId'),
    fromBase64UrlOfLength(grant.teamBoxPublicKey, BOX_PUBLIC_KEY_BYTES, 'teamBoxPublicKey'),
    fromBase64UrlOfLength(grant.sealedTeamSeed, SEALED_TEAM_SEED_BYTES, 'sealedTeamSeed'),
  ]);
}
