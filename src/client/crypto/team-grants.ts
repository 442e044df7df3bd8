/**
 * Granting a team seed to a member: seal the seed to the member's X25519 key and sign
 * the grant (version 2: naming both of the member's keys, so that it vouches for their
 * signing key too) with the granter's Ed25519 key; and, on the member's side, verify and open.
 *
 * The server stores grants and checks their signatures but can never make one: it has
 * no team seed. An admin authorises a member; a member's client grants the key, after
 * comparing the newcomer's fingerprint out of band. This module owns making and opening
 * grants; it must never open a grant whose signature, recipient or team public key does
 * not check out, and never return a seed from one.
 */
import sodium from 'libsodium-wrappers-sumo';
import {
  BadSignatureError,
  MalformedInputError,
  SEALED_TEAM_SEED_BYTES,
  SEED_BYTES,
  SIGNATURE_BYTES,
  SIGN_PUBLIC_KEY_BYTES,
  TEAM_GRANT_VERSION,
  TeamKeyGrant,
  UnsignedTeamKeyGrant,
  WrongKeyError,
  assertCryptoReady,
  bytesEqual,
  encodeTeamKeyGrantMessage,
  fromBase64UrlOfLength,
  toBase64Url,
  validateTeamKeyGrant,
} from '../../crypto';
import { RandomSource, systemRandom } from './random-source';
import { openSealedBox, sealToPublicKey } from './sealed-box';
import { TeamKeys, TeamPublicKey, deriveTeamKeys } from './team-keys';
import { UserKeyPairs } from './user-keys';

/** The member receiving a grant, as the granter's client knows them. */
export interface GrantRecipient {
  readonly userId: string;
  /** Their registered X25519 key, whose fingerprint the granter has checked. */
  readonly boxPublicKey: Uint8Array;
  /** Their registered Ed25519 key (the same fingerprint covers it): the grant vouches for it. */
  readonly signPublicKey: Uint8Array;
}

/** The member making a grant: their id and Ed25519 secret key. */
export interface GrantSigner {
  readonly userId: string;
  readonly signSecretKey: Uint8Array;
}

export function grantTeamSeed(
  team: TeamKeys,
  recipient: GrantRecipient,
  granter: GrantSigner,
  random: RandomSource = systemRandom,
): TeamKeyGrant {
  assertCryptoReady();
  if (recipient.signPublicKey.length !== SIGN_PUBLIC_KEY_BYTES) {
    throw new MalformedInputError(`the recipient's Ed25519 key is ${SIGN_PUBLIC_KEY_BYTES} bytes`);
  }
  const unsigned: UnsignedTeamKeyGrant = {
    version: TEAM_GRANT_VERSION,
    scopeId: team.scopeId,
    generation: team.generation,
    recipientUserId: recipient.userId.toLowerCase(),
    recipientBoxPublicKey: toBase64Url(recipient.boxPublicKey),
    recipientSignPublicKey: toBase64Url(recipient.signPublicKey),
    granterUserId: granter.userId.toLowerCase(),
    teamBoxPublicKey: toBase64Url(team.boxPublicKey),
    sealedTeamSeed: toBase64Url(sealToPublicKey(team.seed, recipient.boxPublicKey, random)),
  };
  const signature = sodium.crypto_sign_detached(encodeTeamKeyGrantMessage(unsigned), granter.signSecretKey);
  return { ...unsigned, signature: toBase64Url(signature) };
}

/**
 * Another scope's team public key, taken from one of its grants and trusted only because a
 * member of that scope signed it. Used before sealing a data key to a scope the client is
 * not in (a visa request to an embassy, a case transfer), so the server cannot slip in
 * a key of its own. The caller must have checked the signer's fingerprint.
 */
export function teamPublicKeyFromGrant(grant: TeamKeyGrant, granterSignPublicKey: Uint8Array): TeamPublicKey {
  assertCryptoReady();
  validateTeamKeyGrant(grant);
  const signature = fromBase64UrlOfLength(grant.signature, SIGNATURE_BYTES, 'signature');
  let valid: boolean;
  try {
    valid = sodium.crypto_sign_verify_detached(signature, encodeTeamKeyGrantMessage(grant), granterSignPublicKey);
  } catch {
    valid = false;
  }
  if (!valid) {
    throw new BadSignatureError('grant signature does not verify against the granter key');
  }
  return {
    scopeId: grant.scopeId.toLowerCase(),
    generation: grant.generation,
    boxPublicKey: fromBase64UrlOfLength(grant.teamBoxPublicKey, 32, 'teamBoxPublicKey'),
  };
}

/** What the recipient must know, from its own state and the key registry, to open a grant. */
export type GrantOpening = {
  readonly recipientUserId: string;
  readonly recipientKeys: UserKeyPairs;
} & (
  | {
      /** The granter's Ed25519 key, as the recipient trusts it: the grant's signature must verify under it. */
      readonly granterSignPublicKey: Uint8Array;
    }
  | {
      /**
       * A team public key the recipient already trusts for this scope and generation: the
       * sealed seed must derive it, and then the granter's signature adds nothing (a
       * re-enrolled granter's old grants still open for the members they admitted).
       */
      readonly trustedTeamBoxPublicKey: Uint8Array;
    }
);

/**
 * Opens a grant for its recipient. A version-2 grant must also name the recipient's own
 * signing key: a grant vouching for another sign key under this member's name would let
 * whoever holds that key write as them to every reader who trusts the granter. A
 * version-1 grant (protocol 1) still opens, but vouches for no signing key.
 */
export function openTeamGrant(grant: TeamKeyGrant, opening: GrantOpening): TeamKeys {
  const expectedTeamKey =
    'granterSignPublicKey' in opening
      ? teamPublicKeyFromGrant(grant, opening.granterSignPublicKey).boxPublicKey
      : (validateTeamKeyGrant(grant), opening.trustedTeamBoxPublicKey);
  const recipientBoxPublicKey = fromBase64UrlOfLength(grant.recipientBoxPublicKey, 32, 'recipientBoxPublicKey');
  if (
    grant.recipientUserId.toLowerCase() !== opening.recipientUserId.toLowerCase() ||
    !bytesEqual(recipientBoxPublicKey, opening.recipientKeys.boxPublicKey)
  ) {
    throw new WrongKeyError('this grant is for another member or another key');
  }
  if (
    grant.version === TEAM_GRANT_VERSION &&
    (grant.recipientSignPublicKey === undefined ||
      !bytesEqual(
        fromBase64UrlOfLength(grant.recipientSignPublicKey, SIGN_PUBLIC_KEY_BYTES, 'recipientSignPublicKey'),
        opening.recipientKeys.signPublicKey,
      ))
  ) {
    throw new WrongKeyError("this grant vouches for another signing key than this member's own");
  }
  const seed = openSealedBox(
    fromBase64UrlOfLength(grant.sealedTeamSeed, SEALED_TEAM_SEED_BYTES, 'sealedTeamSeed'),
    opening.recipientKeys.boxPublicKey,
    opening.recipientKeys.boxSecretKey,
    SEED_BYTES,
  );
  try {
    const team = deriveTeamKeys(seed, grant.scopeId, grant.generation);
    if (!bytesEqual(team.boxPublicKey, expectedTeamKey)) {
      // The granter signed (or this device trusts) a team key that the sealed seed does not derive.
      throw new BadSignatureError('grant names a team public key its seed does not derive');
    }
    return team;
  } finally {
    sodium.memzero(seed);
  }
}
