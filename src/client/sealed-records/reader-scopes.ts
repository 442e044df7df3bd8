/**
 * The scopes a record's data key is sealed to — "every scope that must read it"
 * (docs/protocol.md §4.5) — each with the team public key of its current generation as
 * this device decided on it: one's own scope from one's own grant and its history links
 * (§5.12 rule 3, `openMyTeamKeys`), another scope's only when pinned or confirmed now by
 * its team fingerprint (rule 4, `trustedTeamKeyOfScope`). A case is sealed to its embassy;
 * a visa request to the requesting organisation and the deciding embassy; a placement
 * brief to the embassy and the coordinators' network.
 *
 * This module owns holding those keys for one flow and asking again after the server
 * answered `stale-generation`. It must never hand out a team key the trust rules did not
 * accept (a confirmed fingerprint names one generation: a newer generation is accepted
 * only if pinned), and never erase team keys its caller lent it.
 */
import { readyCrypto } from '../../crypto/protocol-hash';
import type { TeamKeys, TeamPublicKey } from '../crypto/team-keys';
import { openMyTeamKeys, type KeyHolderSession, type MyTeamKeys } from '../team-keys-flow';
import { TeamFingerprintMismatchError, trustedTeamKeyOfScope } from '../trusted-keys';

/** What the kit needs of a signed-in session (EgideSession has it): keys, server, trust store. */
export type SealedRecordSession = KeyHolderSession;

/** One scope a data key is sealed to. */
export interface ReaderScope {
  readonly scopeId: string;
  /** The team public key of the scope's current generation, as this device trusts it. */
  readonly current: TeamPublicKey;
  /**
   * Asks the server again for the scope's current generation and decides on its key by the
   * same trust rules (after a `stale-generation` answer). True when the generation moved.
   */
  refresh(): Promise<boolean>;
}

/** Erases a member's team secrets (seeds, box secret keys, blind-index and history keys). */
export function forgetTeamKeys(keys: MyTeamKeys): void {
  for (const team of keys.history) for (const secret of [team.seed, team.boxSecretKey, team.blindIndexKey, team.historyKey]) secret.fill(0);
}

/**
 * The member's own scope: the current generation (to seal to and to blind-index with)
 * and every older one reached through history links (to open older wraps).
 */
export class OwnScope implements ReaderScope {
  private constructor(
    private readonly session: SealedRecordSession,
    private keys: MyTeamKeys,
    /** Whether these keys were opened here (and are erased by `release`) or lent by the caller. */
    private owned: boolean,
  ) {}

  /** Uses the team keys the caller already opened in this session, else opens them (§5.12 rule 3). */
  static async open(session: SealedRecordSession, lent?: MyTeamKeys): Promise<OwnScope> {
    await readyCrypto();
    if (lent !== undefined) return new OwnScope(session, lent, false);
    return new OwnScope(session, await openMyTeamKeys(session), true);
  }

  get scopeId(): string {
    return this.keys.current.scopeId;
  }

  /** The current generation's keys (a TeamPublicKey with the secrets). */
  get current(): TeamKeys {
    return this.keys.current;
  }

  get teamKeys(): MyTeamKeys {
    return this.keys;
  }

  /** The keys of one generation of this scope, if this member reached it. */
  ofGeneration(generation: number): TeamKeys | undefined {
    return this.keys.history.find((team) => team.generation === generation);
  }

  async refresh(): Promise<boolean> {
    const fresh = await openMyTeamKeys(this.session);
    const moved = fresh.current.generation !== this.keys.current.generation;
    this.release();
    this.keys = fresh;
    this.owned = true;
    return moved;
  }

  /** Erases the keys opened here; keys the caller lent stay theirs to erase. */
  release(): void {
    if (this.owned) forgetTeamKeys(this.keys);
  }
}

/** Another scope's current team key from the directory, accepted by §5.12 rule 4 (then saved in the trust store). */
async function acceptOtherScopeKey(session: SealedRecordSession, scopeId: string, confirmedFingerprint: string | undefined): Promise<TeamPublicKey> {
  const directory = await session.keysApi.teamKey(scopeId);
  if (directory.scopeId.toLowerCase() !== scopeId) throw new TeamFingerprintMismatchError(scopeId);
  // Pinned for this generation, or confirmed now by the fingerprint read out of band (then pinned).
  const key = trustedTeamKeyOfScope(session, directory, confirmedFingerprint);
  await session.trust.save();
  return key;
}

/**
 * A scope the member is not in (a case's receiving embassy, a visa request's deciding
 * embassy, the coordinators' network): its current team public key, only as the trust
 * rules accept it — pinned for that generation, or confirmed now by the team fingerprint
 * a member of that scope read out of band.
 */
export class OtherScope implements ReaderScope {
  private constructor(
    private readonly session: SealedRecordSession,
    readonly scopeId: string,
    private key: TeamPublicKey,
  ) {}

  /**
   * Fetches the scope's current key and decides on it: `confirmedFingerprint` may be left
   * out when this device already pinned that generation. KeyChangedError,
   * UnverifiedAuthorError or TeamFingerprintMismatchError otherwise.
   */
  static async accept(session: SealedRecordSession, scopeId: string, confirmedFingerprint?: string): Promise<OtherScope> {
    await readyCrypto();
    const id = scopeId.toLowerCase();
    return new OtherScope(session, id, await acceptOtherScopeKey(session, id, confirmedFingerprint));
  }

  get current(): TeamPublicKey {
    return this.key;
  }

  /**
   * A fingerprint confirmed earlier named the generation it was read for; a newer
   * generation is accepted only if pinned (else UnverifiedAuthorError with the new
   * fingerprint to compare).
   */
  async refresh(): Promise<boolean> {
    const fresh = await acceptOtherScopeKey(this.session, this.scopeId, undefined);
    const moved = fresh.generation !== this.key.generation;
    this.key = fresh;
    return moved;
  }
}
