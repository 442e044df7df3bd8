/**
 * Key directory and team keys (docs/protocol.md §5.5–5.7, §8): public keys
 * of any key-holding member (with their grants in the caller's scope, so a reader can
 * walk the chain), any scope's current team public key, and the team keyring of the
 * caller's own scope — generation 1, grants, the data keys sealed to it, and re-signing
 * the wraps written before protocol 2. Rotations are rotation.service.ts's.
 *
 * Every method begins with its access check (`ownKeyring(actor)`, the caller's own
 * scope). The server checks what it can without a key: structure, that every id names the
 * caller's scope, that the signer is the caller and holds the generation, that a grant is
 * version 2 and names the recipient's registered keys (the seed sealed to their box key,
 * their sign key vouched for), that the signed team key is the generation's, and each
 * Ed25519 signature (node:crypto). It must never create, alter or re-sign a grant or a
 * wrap, and never seal anything to an ADMIN or AUDITOR (they are never members of a
 * scope). Every write and its audit event share one transaction; a refused grant or
 * re-signing is audited on its own.
 */
import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Actor } from '../common/authz/actor';
import { Database } from '../common/database/database';
import { fieldProblem, NotFoundProblem, ProblemException } from '../common/http/problem';
import { checkProtocolInput } from '../common/http/protocol-input';
import { fromBase64UrlOfLength } from '../crypto/binary-encoding';
import { teamKeyFingerprint } from '../crypto/fingerprint';
import { BOX_PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from '../crypto/protocol-constants';
import { readyCrypto } from '../crypto/protocol-hash';
import { importSignPublicKey, verifyDataKeyWrapOnServer } from '../common/crypto/signature-verifier';
import { validateTeamKeyGrant } from '../crypto/team-grant-payload';
import type { CreateGrantRequest } from './dto/create-grant.dto';
import type { CreateTeamRequest } from './dto/create-team.dto';
import type { SealedDataKeysPageResponse } from './dto/data-keys.response';
import type { GrantCreatedResponse } from './dto/grant.response';
import { MAX_DATA_KEYS_PAGE, MAX_TEAM_MEMBERS_LISTED } from './dto/key-limits';
import type { ListDataKeysQuery } from './dto/list-data-keys.dto';
import type { MyTeamKeysResponse } from './dto/my-team-keys.response';
import type { ResignWrapsRequest } from './dto/resign-wraps.dto';
import type { DirectoryTeamKeyResponse, TeamPublicKeyResponse } from './dto/team-key.response';
import type { TeamMembersResponse } from './dto/team-members.response';
import type { UserPublicKeysResponse } from './dto/user-public-keys.response';
import type { WrapsResignedResponse } from './dto/wraps-resigned.response';
import { verifyGrant } from './grant-verification';
import { KeysAudit } from './keys-audit';
import {
  toDataKeysPageResponse,
  toDirectoryTeamKeyResponse,
  toGrantCreatedResponse,
  toMyTeamKeysResponse,
  toTeamMembersResponse,
  toTeamPublicKeyResponse,
  toUserPublicKeysResponse,
  toWrapsResignedResponse,
} from './keys.mappers';
import { assertCurrentGrantVersion, assertOwnScope, lower, ownKeyring, toNewGrant, type TeamScope } from './keys.policy';
import { KeysRepository, type GenerationRow, type MemberKeysRow } from './keys.repository';
import { KeyringRepository } from './keyring.repository';

@Injectable()
export class KeysService implements OnModuleInit {
  constructor(
    private readonly keys: KeysRepository,
    private readonly keyring: KeyringRepository,
    private readonly database: Database,
    private readonly audit: KeysAudit,
  ) {}

  /** Fingerprints hash with libsodium's BLAKE2b-256 (key-free); load its WASM once. */
  async onModuleInit(): Promise<void> {
    await readyCrypto();
  }

  /**
   * Any key-holding member's public keys (public keys are public: a reader of a case
   * transferred from another embassy must be able to compare its author's fingerprint),
   * and, only for a member of the caller's own scope, every grant they hold there, so
   * that the caller's client can walk the chain of grants that vouches for the keys.
   */
  async userKeys(actor: Actor, userId: string): Promise<UserPublicKeysResponse> {
    const scope = ownKeyring(actor);
    const manager = this.database.manager;
    const member = await this.keys.findKeyHolder(manager, lower(userId));
    if (member === undefined) throw new NotFoundProblem('user');
    const grants = await this.keys.findHeldGrants(manager, scope.id, member.user_id);
    return toUserPublicKeysResponse(member, grants);
  }

  /** Team public keys are public: another scope seals data keys to them (e.g. NGO → embassy). */
  async teamPublicKey(actor: Actor, scopeId: string): Promise<DirectoryTeamKeyResponse> {
    ownKeyring(actor);
    const manager = this.database.manager;
    const current = await this.keys.findPublicTeamKey(manager, lower(scopeId));
    if (current === undefined) throw new NotFoundProblem('team');
    const signedBy = await this.keys.findSigningGrant(manager, current.scope_id, current.generation);
    return toDirectoryTeamKeyResponse(current, signedBy);
  }

  /** Generation 1 of the caller's scope, sealed to and signed by its creator. */
  async createTeam(actor: Actor, request: CreateTeamRequest): Promise<TeamPublicKeyResponse> {
    const scope = ownKeyring(actor);
    const { grant } = request;
    checkProtocolInput('grant', () => validateTeamKeyGrant(grant));
    assertCurrentGrantVersion('grant', grant);
    checkProtocolInput('teamBoxPublicKey', () => fromBase64UrlOfLength(request.teamBoxPublicKey, BOX_PUBLIC_KEY_BYTES, 'teamBoxPublicKey'));
    assertOwnScope(scope, grant.scopeId);
    if (grant.generation !== 1) throw fieldProblem('grant.generation', 'must be 1 for a new team');
    if (lower(grant.recipientUserId) !== actor.userId) throw fieldProblem('grant.recipientUserId', 'must be the caller');
    if (grant.teamBoxPublicKey !== request.teamBoxPublicKey) throw fieldProblem('grant.teamBoxPublicKey', 'must equal teamBoxPublicKey');
    const fingerprint = teamKeyFingerprint(scope.id, 1, fromBase64UrlOfLength(request.teamBoxPublicKey, BOX_PUBLIC_KEY_BYTES, 'teamBoxPublicKey'));

    return this.database.transaction(async (manager) => {
      await this.keyring.lockKeyring(manager, scope.id);
      const caller = await this.callerKeys(manager, scope, actor);
      verifyGrant(grant, {
        field: 'grant',
        scope,
        generation: 1,
        teamBoxPublicKey: request.teamBoxPublicKey,
        caller,
        callerSignKey: importSignPublicKey(caller.sign_public_key),
        recipient: caller,
      });
      const created = await this.keys.insertFirstGeneration(manager, scope.id, {
        generation: 1,
        scopeType: scope.type,
        teamBoxPublicKey: request.teamBoxPublicKey,
        fingerprint,
        historyLink: null,
        createdBy: actor.userId,
      });
      if (created === undefined) throw new ProblemException('conflict', 'This scope already has a team key');
      await this.keys.insertGrants(manager, scope.id, 1, [toNewGrant(grant)]);
      await this.audit.record(manager, actor, scope, 'keys.team-created', 'SUCCESS', { type: 'team', id: scope.id }, { generation: 1 });
      return toTeamPublicKeyResponse(created);
    });
  }

  /** Eligible members of my scope with no grant for the current generation. */
  async pendingMembers(actor: Actor): Promise<TeamMembersResponse> {
    const scope = ownKeyring(actor);
    const manager = this.database.manager;
    const current = await requireCurrentGeneration(this.keys, manager, scope);
    return toTeamMembersResponse(current, await this.keys.findPendingMembers(manager, scope.id, current.generation, MAX_TEAM_MEMBERS_LISTED));
  }

  /** Eligible members of my scope holding the current generation: a rotation re-grants them. */
  async holders(actor: Actor): Promise<TeamMembersResponse> {
    const scope = ownKeyring(actor);
    const manager = this.database.manager;
    const current = await requireCurrentGeneration(this.keys, manager, scope);
    return toTeamMembersResponse(current, await this.keys.findHolders(manager, scope.id, current.generation, MAX_TEAM_MEMBERS_LISTED));
  }

  /** A grant of the current generation, made and signed by the caller, to a member of the scope. */
  async createGrant(actor: Actor, grant: CreateGrantRequest): Promise<GrantCreatedResponse> {
    const scope = ownKeyring(actor);
    return this.audit.refusal(actor, scope, 'keys.grant-created', async () => {
      checkProtocolInput('grant', () => validateTeamKeyGrant(grant));
      assertCurrentGrantVersion('', grant);
      assertOwnScope(scope, grant.scopeId);
      return this.database.transaction(async (manager) => {
        await this.keyring.lockKeyring(manager, scope.id);
        const current = await requireCurrentGeneration(this.keys, manager, scope);
        if (grant.generation !== current.generation) {
          throw new ProblemException('conflict', `Generation ${grant.generation} is not the current one`, {
            currentGeneration: current.generation,
          });
        }
        if (lower(grant.granterUserId) !== actor.userId) throw fieldProblem('granterUserId', 'must be the caller');
        if (!(await this.keys.holdsGeneration(manager, scope.id, current.generation, actor.userId))) {
          throw new ProblemException('forbidden', `You hold no key of generation ${current.generation} to grant`);
        }
        const caller = await this.callerKeys(manager, scope, actor);
        const [recipient] = await this.keys.findEligibleMembers(manager, scope.id, [lower(grant.recipientUserId)]);
        verifyGrant(grant, {
          field: '',
          scope,
          generation: current.generation,
          teamBoxPublicKey: current.team_box_public_key,
          caller,
          callerSignKey: importSignPublicKey(caller.sign_public_key),
          recipient,
        });
        const [inserted] = await this.keys.insertGrants(manager, scope.id, current.generation, [toNewGrant(grant)]);
        if (inserted === undefined) throw new ProblemException('conflict', 'This member already holds the current generation');
        await this.audit.record(manager, actor, scope, 'keys.grant-created', 'SUCCESS', { type: 'user', id: inserted.recipient_id }, { generation: current.generation });
        return toGrantCreatedResponse(scope.id, current.generation, actor.userId, inserted);
      });
    });
  }

  /** My grants (newest first) and every history link of my scope, so my client can walk back. */
  async myTeamKeys(actor: Actor): Promise<MyTeamKeysResponse> {
    const scope = ownKeyring(actor);
    const manager = this.database.manager;
    const current = await requireCurrentGeneration(this.keys, manager, scope);
    const [grants, historyLinks] = await Promise.all([
      this.keys.findHeldGrants(manager, scope.id, actor.userId),
      this.keys.findHistoryLinks(manager, scope.id),
    ]);
    return toMyTeamKeysResponse(current, grants, historyLinks);
  }

  /** The data keys sealed to my scope, page by page, each with its newest wrap. */
  async dataKeysPage(actor: Actor, query: ListDataKeysQuery): Promise<SealedDataKeysPageResponse> {
    const scope = ownKeyring(actor);
    const limit = query.limit ?? MAX_DATA_KEYS_PAGE;
    const dataKeys = await this.keys.findWrapsPage(this.database.manager, scope.id, query.after === undefined ? undefined : lower(query.after), limit);
    return toDataKeysPageResponse(dataKeys, limit);
  }

  /**
   * Signatures, by the caller as writer, over wraps of the scope's current generation
   * that were written before protocol 2 (unsigned). The client re-signs a wrap only after
   * the record it names checked out; the server verifies each signature over the stored
   * row, so nothing but the writer column and the signature change. All or nothing: a key
   * id the scope does not have is "not found" (404), a wrap already signed or of another
   * generation is a 409, a bad signature a 400 naming it.
   */
  async resignWraps(actor: Actor, request: ResignWrapsRequest): Promise<WrapsResignedResponse> {
    const scope = ownKeyring(actor);
    return this.audit.refusal(actor, scope, 'keys.wraps-resigned', async () => {
      const keyIds = request.signatures.map((entry) => lower(entry.keyId));
      const seen = new Set<string>();
      keyIds.forEach((keyId, index) => {
        if (seen.has(keyId)) throw fieldProblem(`signatures.${index}.keyId`, 'appears twice');
        seen.add(keyId);
        checkProtocolInput(`signatures.${index}.signature`, () => fromBase64UrlOfLength(request.signatures[index].signature, SIGNATURE_BYTES, 'signature'));
      });
      return this.database.transaction(async (manager) => {
        await this.keyring.lockKeyring(manager, scope.id);
        const current = await requireCurrentGeneration(this.keys, manager, scope);
        if (!(await this.keys.holdsGeneration(manager, scope.id, current.generation, actor.userId))) {
          throw new ProblemException('forbidden', `You hold no key of generation ${current.generation} to vouch for its wraps`);
        }
        const caller = await this.callerKeys(manager, scope, actor);
        const callerSignKey = importSignPublicKey(caller.sign_public_key);
        // Ordered by generation: while a rotation keeps two wraps of a key, the newer one is kept here.
        const stored = new Map((await this.keys.lockWraps(manager, scope.id, keyIds)).map((wrap) => [wrap.keyId, wrap]));
        keyIds.forEach((keyId, index) => {
          const wrap = stored.get(keyId);
          // Another scope's key id and a missing one answer alike.
          if (wrap === undefined) throw new NotFoundProblem('data key');
          if (wrap.generation !== current.generation) {
            throw new ProblemException('conflict', `The wrap of ${keyId} is sealed to generation ${wrap.generation}, not the current ${current.generation}`, {
              reason: 'stale-generation',
              keyId,
              currentGeneration: current.generation,
            });
          }
          if (wrap.signature !== null) {
            throw new ProblemException('conflict', `The wrap of ${keyId} is already signed`, { reason: 'already-signed', keyId });
          }
          const signed = { ...wrap, writerUserId: actor.userId, signature: request.signatures[index].signature };
          checkProtocolInput(`signatures.${index}.signature`, () => verifyDataKeyWrapOnServer(signed, callerSignKey));
        });
        const resigned = await this.keys.signWraps(
          manager,
          scope.id,
          current.generation,
          actor.userId,
          keyIds.map((keyId, index) => ({ keyId, signature: request.signatures[index].signature })),
        );
        if (resigned !== keyIds.length) {
          // Every row was checked under its row lock and the keyring lock; a difference here is our bug.
          throw new Error('re-signing wrote a different number of wraps than it checked');
        }
        await this.audit.record(manager, actor, scope, 'keys.wraps-resigned', 'SUCCESS', { type: 'team', id: scope.id }, { generation: current.generation, wraps: resigned });
        return toWrapsResignedResponse(scope.id, current.generation, resigned);
      });
    });
  }

  /** The caller's registered keys; the guard has checked they are active with MFA. */
  private async callerKeys(manager: EntityManager, scope: TeamScope, actor: Actor): Promise<MemberKeysRow> {
    const caller = await this.keys.findMember(manager, scope.id, actor.userId);
    if (caller === undefined) throw new NotFoundProblem('member');
    return caller;
  }
}

/** The scope's current generation, or 404 `team` before its team exists. */
export async function requireCurrentGeneration(keys: KeysRepository, manager: EntityManager, scope: TeamScope): Promise<GenerationRow> {
  const current = await keys.findCurrent(manager, scope.id);
  if (current === undefined) throw new NotFoundProblem('team');
  return current;
}
