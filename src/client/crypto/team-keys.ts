/**
 * Team keys: one 32-byte seed per scope (embassy, NGO, coordinators' network) and
 * generation g, from which a member's client derives
 *
 *   box seed         = crypto_kdf_derive_from_key(32, TeamSeedSubkey.BoxSeed,       "egteam__", seed)
 *   T_g              = crypto_box_seed_keypair(box seed)
 *   blind-index key  = crypto_kdf_derive_from_key(32, TeamSeedSubkey.BlindIndexKey, "egteam__", seed)
 *   history key      = crypto_kdf_derive_from_key(32, TeamSeedSubkey.HistoryKey,    "egteam__", seed)
 *
 * The seed is random per scope and generation, so scope and generation need not enter
 * the derivation; they travel with the keys so that nothing is sealed to the wrong one.
 * This module owns that derivation; it must never send the seed or a secret key.
 */
import sodium from 'libsodium-wrappers-sumo';
import {
  KdfContext,
  KEY_BYTES,
  MalformedInputError,
  SEED_BYTES,
  TeamSeedSubkey,
  assertCryptoReady,
  isUuid,
  teamKeyFingerprint,
} from '../../crypto';
import { RandomSource, systemRandom } from './random-source';

/** A team's public identity for one generation: enough to seal data keys to it. */
export interface TeamPublicKey {
  readonly scopeId: string;
  readonly generation: number;
  readonly boxPublicKey: Uint8Array;
}

export interface TeamKeys extends TeamPublicKey {
  readonly seed: Uint8Array;
  readonly boxSecretKey: Uint8Array;
  readonly blindIndexKey: Uint8Array;
  /** Opens the history link that carries generation − 1's seed. */
  readonly historyKey: Uint8Array;
}

export function generateTeamSeed(random: RandomSource = systemRandom): Uint8Array {
  return random(SEED_BYTES);
}

export function deriveTeamKeys(seed: Uint8Array, scopeId: string, generation: number): TeamKeys {
  assertCryptoReady();
  if (seed.length !== SEED_BYTES) throw new MalformedInputError(`a team seed is ${SEED_BYTES} bytes`);
  if (!isUuid(scopeId)) throw new MalformedInputError('scopeId is not a UUID');
  if (!Number.isInteger(generation) || generation < 1) {
    throw new MalformedInputError('generation must be a positive integer');
  }
  const boxSeed = sodium.crypto_kdf_derive_from_key(KEY_BYTES, TeamSeedSubkey.BoxSeed, KdfContext.TeamSeed, seed);
  try {
    const box = sodium.crypto_box_seed_keypair(boxSeed);
    return {
      scopeId: scopeId.toLowerCase(),
      generation,
      seed: Uint8Array.from(seed),
      boxPublicKey: box.publicKey,
      boxSecretKey: box.privateKey,
      blindIndexKey: sodium.crypto_kdf_derive_from_key(
        KEY_BYTES,
        TeamSeedSubkey.BlindIndexKey,
        KdfContext.TeamSeed,
        seed,
      ),
      historyKey: sodium.crypto_kdf_derive_from_key(KEY_BYTES, TeamSeedSubkey.HistoryKey, KdfContext.TeamSeed, seed),
    };
  } finally {
    sodium.memzero(boxSeed);
  }
}

/** Generation 1 of a new scope, made by its first member. */
export function createTeam(scopeId: string, random: RandomSource = systemRandom): TeamKeys {
  return deriveTeamKeys(generateTeamSeed(random), scopeId, 1);
}

export function teamKeysFingerprint(team: TeamPublicKey): string {
  return teamKeyFingerprint(team.scopeId, team.generation, team.boxPublicKey);
}
