/**
 * Key directory and team keys (docs/protocol.md §5.5–5.7, §8): public keys
 * of the caller's scope's members (with their grants, so a reader can walk the chain),
 * any scope's current team public key, and the team keyring of the caller's own scope —
 * generation 1, grants, rotations, and re-signing the wraps written before protocol 2.
 *
 * The server checks what it can without a key: structure, that every id names the
 * caller's scope, that the signer is the caller and holds the generation, that a grant is
 * version 2 and names the recipient's registered keys (the seed sealed to their box key,
 * their sign key vouched for), that the signed team key is the generation's, that every
 * re-sealed wrap keeps the record its stored row names, and each Ed25519 signature
 * (node:crypto). It must never create, alter or re-sign a grant or a wrap, and never seal
 * anything to an ADMIN or AUDITOR (they are never members of a scope). Every write and its
 * audit event share one transaction; a refused grant, rotation or re-signing is audited on its own.
 */
import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { AuditAction } from '../audit/audit-event';
import type { Actor } from '../common/authz/actor';
import { NotFoundProblem, ProblemException } from '../common/http/problem';
import { checkProtocolInput } from '../common/http/protocol-input';
import { fromBase64UrlOfLength } from '../crypto/binary-encoding';
import { teamKeyFingerprint } from '../crypto/fingerprint';
import { validateSignedDataKeyWrap } from '../crypto/data-key-wrap-payload';
import { validateHistoryLink } from '../crypto/key-bundles';
import { BOX_PUBLIC_KEY_BYTES, SIGNATURE_BYTES, TEAM_GRANT_VERSION } from '../crypto/protocol-constants';
import { readyCrypto } from '../crypto/protocol-hash';
import { importSignPublicKey, verifyDataKeyWrapOnServer, verifyTeamKeyGrantOnServer } from '../common/crypto/signature-verifier';
import { validateTeamKeyGrant } from '../crypto/team-grant-payload';
import type { TeamKeyGrantDto } from './dto/key-material.dto';
import type { CreateTeamRequest, DataKeysPageQuery, ResignWrapsRequest, RotateTeamRequest } from './dto/keys-requests.dto';
import { MAX_DATA_KEYS_PAGE, MAX_TEAM_MEMBERS_LISTED } from './dto/keys-requests.dto';
import type {
  DirectoryTeamKeyResponse,
  GrantCreatedResponse,
  MyTeamKeysResponse,
  RotationResponse,
  SealedDataKeysPageResponse,
  TeamMembersResponse,
  TeamPublicKeyResponse,
  UserPublicKeysResponse,
  WrapsResignedResponse,
} from './dto/keys-responses.dto';
import {
  toGrantCreatedResponse,
  toHeldGrantResponse,
  toTeamMemberResponse,
  toTeamPublicKeyResponse,
  toUserPublicKeysResponse,
} from './keys.mappers';
import { assertOwnScope, compareRecipients, ownTeamScope, type TeamScope } from './keys.policy';
import { isUniqueViolation, KeysRepository, type GenerationRow, type MemberKeysRow, type NewGrant } from './keys.repository';

/** What a grant is checked against, besides its own structure and signature. */
interface GrantExpectation {
  readonly field: string;
  readonly scope: TeamScope;
  readonly generation: number;
  readonly teamBoxPublicKey: string;
  readonly caller: MemberKeysRow;
  readonly callerSignKey: KeyObject;
  /** The recipient as an eligible member of the scope; undefined when they are not one. */
  readonly recipient: MemberKeysRow | undefined;
}

function fieldProblem(field: string, message: string): ProblemException {
  return new ProblemException('validation-failed', `Invalid field(s): ${field}`, {}, [{ field, messages: [`${field} ${message}`] }]);
}

function lower(id: string): string {
  return id.toLowerCase();
}

/**
 * Protocol 2: a new grant must vouch for the recipient's signing key (version 2); a
 * version-1 grant, which vouches for none, is only ever read back, never written.
 */
function assertCurrentGrantVersion(field: string, grant: TeamKeyGrantDto): void {
  if (grant.version !== TEAM_GRANT_VERSION) {
    throw fieldProblem(field === '' ? 'version' : `${field}.version`, `must be ${TEAM_GRANT_VERSION}: a new grant names the recipient's sign key`);
  }
}

@Injectable()
export class KeysService implements OnModuleInit {
  constructor(
    private readonly keys: KeysRepository,
    private readonly audit: AuditService,
  ) {}

  /** Fingerprints hash with libsodium's BLAKE2b-256 (key-free); load its WASM once. */
  async onModuleInit(): Promise<void> {
    await readyCrypto();
  }

  /**
   * A member of the caller's scope, with their grants of the scope's current generation
   * (none before the scope has a team); any other user (another scope, an admin) is "not found".
   */
  /**
   * Any key-holding member's public keys (public keys are public: a reader of a case
   * transferred from another embassy must be able to compare its author's fingerprint),
   * and, only for a member of the caller's own scope, every grant they hold there, so
   * that the caller's client can walk the chain of grants that vouches for the keys.
   */
  async userKeys(actor: Actor, userId: string): Promise<UserPublicKeysResponse> {
    const scope = ownTeamScope(actor);
    const member = await this.keys.findKeyHolder(lower(userId));
    if (member === undefined) throw new NotFoundProblem('user');
    const grants = await this.keys.findHeldGrants(scope.id, member.user_id);
    return toUserPublicKeysResponse(member, grants);
  }

  /** Team public keys are public: another scope seals data keys to them (e.g. NGO → embassy). */
  async teamPublicKey(_actor: Actor, scopeId: string): Promise<DirectoryTeamKeyResponse> {
    const current = await this.keys.findCurrentGeneration(lower(scopeId));
    if (current === undefined) throw new NotFoundProblem('team');
    const signedBy = await this.keys.findSigningGrant(current.scope_id, current.generation);
    return { ...toTeamPublicKeyResponse(current), signedBy: signedBy === undefined ? null : toHeldGrantResponse(signedBy) };
  }

  /** Generation 1 of the caller's scope, sealed to and signed by its creator. */
  async createTeam(actor: Actor, request: CreateTeamRequest): Promise<TeamPublicKeyResponse> {
    const scope = ownTeamScope(actor);
    const { grant } = request;
    checkProtocolInput('grant', () => validateTeamKeyGrant(grant));
    assertCurrentGrantVersion('grant', grant);
    checkProtocolInput('teamBoxPublicKey', () => fromBase64UrlOfLength(request.teamBoxPublicKey, BOX_PUBLIC_KEY_BYTES, 'teamBoxPublicKey'));
    assertOwnScope(scope, grant.scopeId);
    if (grant.generation !== 1) throw fieldProblem('grant.generation', 'must be 1 for a new team');
    if (lower(grant.recipientUserId) !== actor.userId) throw fieldProblem('grant.recipientUserId', 'must be the caller');
    if (grant.teamBoxPublicKey !== request.teamBoxPublicKey) throw fieldProblem('grant.teamBoxPublicKey', 'must equal teamBoxPublicKey');
    const fingerprint = teamKeyFingerprint(scope.id, 1, fromBase64UrlOfLength(request.teamBoxPublicKey, BOX_PUBLIC_KEY_BYTES, 'teamBoxPublicKey'));

    return this.keys.transaction(async (manager) => {
      await this.keys.lockScopeKeyring(manager, scope.id);
      const caller = await this.callerKeys(manager, scope, actor);
      this.verifyGrant(grant, {
        field: 'grant',
        scope,
        generation: 1,
        teamBoxPublicKey: request.teamBoxPublicKey,
        caller,
        callerSignKey: importSignPublicKey(caller.sign_public_key),
        recipient: caller,
      });
      const created = await this.keys.insertFirstGeneration(manager, {
        scopeId: scope.id,
        generation: 1,
        scopeType: scope.type,
        teamBoxPublicKey: request.teamBoxPublicKey,
        fingerprint,
        historyLink: null,
        createdBy: actor.userId,
      });
      if (created === undefined) throw new ProblemException('conflict', 'This scope already has a team key');
      await this.keys.insertGrants(manager, scope.id, 1, [toNewGrant(grant)]);
      await this.recordTeamEvent(manager, actor, scope, 'keys.team-created', 'SUCCESS', { type: 'team', id: scope.id }, { generation: 1 });
      return toTeamPublicKeyResponse(created);
    });
  }

  /** Eligible members of my scope with no grant for the current generation. */
  async pendingMembers(actor: Actor): Promise<TeamMembersResponse> {
    const scope = ownTeamScope(actor);
    const current = await this.requireCurrentGeneration(scope);
    const members = await this.keys.findPendingMembers(scope.id, current.generation, MAX_TEAM_MEMBERS_LISTED);
    return { scopeId: scope.id, generation: current.generation, members: members.map(toTeamMemberResponse) };
  }

  /** Eligible members of my scope holding the current generation: a rotation re-grants them. */
  async holders(actor: Actor): Promise<TeamMembersResponse> {
    const scope = ownTeamScope(actor);
    const current = await this.requireCurrentGeneration(scope);
    const members = await this.keys.findHolders(scope.id, current.generation, undefined, MAX_TEAM_MEMBERS_LISTED);
    return { scopeId: scope.id, generation: current.generation, members: members.map(toTeamMemberResponse) };
  }

  /** A grant of the current generation, made and signed by the caller, to a member of the scope. */
  async createGrant(actor: Actor, grant: TeamKeyGrantDto): Promise<GrantCreatedResponse> {
    const scope = ownTeamScope(actor);
    return this.auditedRefusal(actor, scope, 'keys.grant-created', async () => {
      checkProtocolInput('grant', () => validateTeamKeyGrant(grant));
      assertCurrentGrantVersion('', grant);
      assertOwnScope(scope, grant.scopeId);
      return this.keys.transaction(async (manager) => {
        await this.keys.lockScopeKeyring(manager, scope.id);
        const current = await this.requireCurrentGeneration(scope, manager);
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
        this.verifyGrant(grant, {
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
        await this.recordTeamEvent(manager, actor, scope, 'keys.grant-created', 'SUCCESS', { type: 'user', id: inserted.recipient_id }, { generation: current.generation });
        return toGrantCreatedResponse(scope.id, current.generation, actor.userId, inserted);
      });
    });
  }

  /** My grants (newest first) and every history link of my scope, so my client can walk back. */
  async myTeamKeys(actor: Actor): Promise<MyTeamKeysResponse> {
    const scope = ownTeamScope(actor);
    const current = await this.requireCurrentGeneration(scope);
    const [grants, historyLinks] = await Promise.all([
      this.keys.findHeldGrants(scope.id, actor.userId),
      this.keys.findHistoryLinks(scope.id),
    ]);
    return { scopeId: scope.id, currentGeneration: current.generation, grants: grants.map(toHeldGrantResponse), historyLinks };
  }

  /** The data keys sealed to my scope, page by page (what a rotation must re-seal). */
  async dataKeysPage(actor: Actor, query: DataKeysPageQuery): Promise<SealedDataKeysPageResponse> {
    const scope = ownTeamScope(actor);
    const limit = query.limit ?? MAX_DATA_KEYS_PAGE;
    const dataKeys = await this.keys.findWrapsPage(scope.id, query.after === undefined ? undefined : lower(query.after), limit);
    return { dataKeys, nextAfter: dataKeys.length === limit ? dataKeys[dataKeys.length - 1].keyId : null };
  }

  /**
   * Generation g+1: the generation row with its history link, a grant for every member
   * holding g, every data key of the scope re-sealed, generation-g grants removed — all
   * or nothing. Concurrent rotations: the keyring lock and the generation's primary key
   * let exactly one through; the other is told the generation is taken (409).
   */
  async rotate(actor: Actor, request: RotateTeamRequest): Promise<RotationResponse> {
    const scope = ownTeamScope(actor);
    return this.auditedRefusal(actor, scope, 'keys.rotated', async () => {
      const next = request.generation;
      this.checkRotationStructure(actor, scope, request);
      const fingerprint = teamKeyFingerprint(scope.id, next, fromBase64UrlOfLength(request.teamBoxPublicKey, BOX_PUBLIC_KEY_BYTES, 'teamBoxPublicKey'));
      const keyIds = request.resealedDataKeys.map((sealed) => lower(sealed.keyId));

      return this.keys.transaction(async (manager) => {
        await this.keys.lockScopeKeyring(manager, scope.id);
        const current = await this.requireCurrentGeneration(scope, manager);
        if (next !== current.generation + 1) {
          throw new ProblemException('conflict', `Generation ${next} cannot follow the current generation ${current.generation}`, {
            currentGeneration: current.generation,
          });
        }
        if (!(await this.keys.holdsGeneration(manager, scope.id, current.generation, actor.userId))) {
          throw new ProblemException('forbidden', `You hold no key of generation ${current.generation} to rotate`);
        }
        // First: writers of new wraps hold this row FOR SHARE (keyring.repository.ts); once it
        // is superseded, none can seal to generation g, so the key set compared below is final.
        if (!(await this.keys.supersedeGeneration(manager, scope.id, current.generation))) {
          throw new Error('the current generation was not current under the keyring lock');
        }
        const caller = await this.callerKeys(manager, scope, actor);
        const callerSignKey = importSignPublicKey(caller.sign_public_key);
        const recipientIds = request.grants.map((grant) => lower(grant.recipientUserId));
        const eligible = new Map(
          (await this.keys.findEligibleMembers(manager, scope.id, recipientIds)).map((member) => [member.user_id, member]),
        );
        request.resealedDataKeys.forEach((wrap, index) =>
          checkProtocolInput(`resealedDataKeys.${index}.signature`, () => verifyDataKeyWrapOnServer(wrap, callerSignKey)),
        );
        request.grants.forEach((grant, index) =>
          this.verifyGrant(grant, {
            field: `grants.${index}`,
            scope,
            generation: next,
            teamBoxPublicKey: request.teamBoxPublicKey,
            caller,
            callerSignKey,
            recipient: eligible.get(lower(grant.recipientUserId)),
          }),
        );
        const holders = (await this.keys.findHolders(scope.id, current.generation, manager)).map((member) => member.user_id);
        const { missing, unexpected } = compareRecipients(holders, recipientIds);
        if (missing.length > 0 || unexpected.length > 0) {
          throw new ProblemException('conflict', 'The rotation must grant exactly the members who hold the current generation', {
            reason: 'incomplete-grants',
            missingMembers: missing,
            unexpectedMembers: unexpected,
          });
        }
        const keySet = await this.keys.compareWrappedKeySet(manager, scope.id, keyIds);
        if (keySet.missing > 0 || keySet.extra > 0) {
          throw new ProblemException('conflict', 'The rotation is incomplete: every data key of the scope, and only those, must be re-sealed', {
            reason: 'incomplete-data-keys',
            missingDataKeys: keySet.missing,
            unknownDataKeys: keySet.extra,
          });
        }
        // Each key is re-signed for the record it already belongs to: a rotation never moves one.
        const [rebound] = await this.keys.findRebindings(manager, scope.id, request.resealedDataKeys);
        if (rebound !== undefined) {
          throw fieldProblem(`resealedDataKeys.${rebound.index}.${rebound.field}`, 'must be the record the stored wrap of this key belongs to');
        }

        const created = await this.insertNextGeneration(manager, {
          scopeId: scope.id,
          generation: next,
          scopeType: scope.type,
          teamBoxPublicKey: request.teamBoxPublicKey,
          fingerprint,
          historyLink: request.historyLink,
          createdBy: actor.userId,
        });
        const grants = await this.keys.insertGrants(manager, scope.id, next, request.grants.map(toNewGrant));
        const resealed = await this.keys.replaceWraps(manager, scope.id, next, request.resealedDataKeys);
        if (grants.length !== request.grants.length || resealed !== keyIds.length) {
          // Both sets were checked under the keyring lock; a difference here is our bug.
          throw new Error('rotation wrote a different number of grants or wraps than it checked');
        }
        // Older grants of the remaining members stay: they reveal nothing their holders do
        // not already have, and they keep the chains of grants that vouch for each member's
        // keys (docs/protocol.md §5.12) intact across rotations.
        await this.recordTeamEvent(manager, actor, scope, 'keys.rotated', 'SUCCESS', { type: 'team', id: scope.id }, { generation: next, previousGeneration: current.generation, grants: grants.length, dataKeys: resealed });
        return { ...toTeamPublicKeyResponse(created), grantsCreated: grants.length, dataKeysResealed: resealed };
      });
    });
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
    const scope = ownTeamScope(actor);
    return this.auditedRefusal(actor, scope, 'keys.wraps-resigned', async () => {
      const keyIds = request.signatures.map((entry) => lower(entry.keyId));
      const seen = new Set<string>();
      keyIds.forEach((keyId, index) => {
        if (seen.has(keyId)) throw fieldProblem(`signatures.${index}.keyId`, 'appears twice');
        seen.add(keyId);
        checkProtocolInput(`signatures.${index}.signature`, () =>
          fromBase64UrlOfLength(request.signatures[index].signature, SIGNATURE_BYTES, 'signature'),
        );
      });
      return this.keys.transaction(async (manager) => {
        await this.keys.lockScopeKeyring(manager, scope.id);
        const current = await this.requireCurrentGeneration(scope, manager);
        if (!(await this.keys.holdsGeneration(manager, scope.id, current.generation, actor.userId))) {
          throw new ProblemException('forbidden', `You hold no key of generation ${current.generation} to vouch for its wraps`);
        }
        const caller = await this.callerKeys(manager, scope, actor);
        const callerSignKey = importSignPublicKey(caller.sign_public_key);
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
        await this.recordTeamEvent(manager, actor, scope, 'keys.wraps-resigned', 'SUCCESS', { type: 'team', id: scope.id }, { generation: current.generation, wraps: resigned });
        return { scopeId: scope.id, generation: current.generation, resigned };
      });
    });
  }

  /** Everything about a rotation body that needs no database: structure, ids, generations, duplicates. */
  private checkRotationStructure(actor: Actor, scope: TeamScope, request: RotateTeamRequest): void {
    const next = request.generation;
    checkProtocolInput('teamBoxPublicKey', () => fromBase64UrlOfLength(request.teamBoxPublicKey, BOX_PUBLIC_KEY_BYTES, 'teamBoxPublicKey'));
    checkProtocolInput('historyLink', () => validateHistoryLink(request.historyLink));
    assertOwnScope(scope, request.historyLink.scopeId);
    if (request.historyLink.generation !== next) throw fieldProblem('historyLink.generation', 'must equal generation');
    const recipients = new Set<string>();
    request.grants.forEach((grant, index) => {
      checkProtocolInput(`grants.${index}`, () => validateTeamKeyGrant(grant));
      assertCurrentGrantVersion(`grants.${index}`, grant);
      assertOwnScope(scope, grant.scopeId);
      if (grant.generation !== next) throw fieldProblem(`grants.${index}.generation`, 'must equal generation');
      const recipient = lower(grant.recipientUserId);
      if (recipients.has(recipient)) throw fieldProblem(`grants.${index}.recipientUserId`, 'is granted twice');
      recipients.add(recipient);
    });
    const keyIds = new Set<string>();
    request.resealedDataKeys.forEach((sealed, index) => {
      checkProtocolInput(`resealedDataKeys.${index}`, () => validateSignedDataKeyWrap(sealed));
      assertOwnScope(scope, sealed.scopeId);
      if (sealed.generation !== next) throw fieldProblem(`resealedDataKeys.${index}.generation`, 'must equal generation');
      if (lower(sealed.writerUserId) !== actor.userId) throw fieldProblem(`resealedDataKeys.${index}.writerUserId`, 'must be the caller');
      const keyId = lower(sealed.keyId);
      if (keyIds.has(keyId)) throw fieldProblem(`resealedDataKeys.${index}.keyId`, 'appears twice');
      keyIds.add(keyId);
    });
  }

  /**
   * The checks of docs/protocol.md §5.6 that need the database, in an order that tells
   * the caller what is wrong without revealing anything about other scopes.
   */
  private verifyGrant(grant: TeamKeyGrantDto, expected: GrantExpectation): void {
    const field = (name: string): string => (expected.field === '' ? name : `${expected.field}.${name}`);
    assertOwnScope(expected.scope, grant.scopeId);
    if (grant.generation !== expected.generation) throw fieldProblem(field('generation'), `must be ${expected.generation}`);
    if (lower(grant.granterUserId) !== expected.caller.user_id) throw fieldProblem(field('granterUserId'), 'must be the caller');
    // Not a member, another scope, disabled, an ADMIN or an AUDITOR: all "no such member".
    if (expected.recipient === undefined) throw new NotFoundProblem('member');
    if (grant.recipientBoxPublicKey !== expected.recipient.box_public_key) {
      throw fieldProblem(field('recipientBoxPublicKey'), "is not the recipient's registered key");
    }
    // The granter vouches for this sign key to every reader who trusts the granter: it
    // must be the one the recipient registered (and the granter compared by fingerprint).
    if (grant.recipientSignPublicKey !== expected.recipient.sign_public_key) {
      throw fieldProblem(field('recipientSignPublicKey'), "is not the recipient's registered key");
    }
    if (grant.teamBoxPublicKey !== expected.teamBoxPublicKey) {
      throw fieldProblem(field('teamBoxPublicKey'), "is not the generation's team key");
    }
    checkProtocolInput(field('signature'), () => verifyTeamKeyGrantOnServer(grant, expected.callerSignKey));
  }

  private async insertNextGeneration(manager: EntityManager, generation: Parameters<KeysRepository['insertGeneration']>[1]): Promise<GenerationRow> {
    try {
      return await this.keys.insertGeneration(manager, generation);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ProblemException('conflict', `Generation ${generation.generation} already exists`);
      }
      throw error;
    }
  }

  private async requireCurrentGeneration(scope: TeamScope, manager?: EntityManager): Promise<GenerationRow> {
    const current = await this.keys.findCurrentGeneration(scope.id, manager);
    if (current === undefined) throw new NotFoundProblem('team');
    return current;
  }

  /** The caller's registered keys; the guard has checked they are active with MFA. */
  private async callerKeys(manager: EntityManager, scope: TeamScope, actor: Actor): Promise<MemberKeysRow> {
    const caller = await this.keys.findMemberKeys(scope.id, actor.userId, manager);
    if (caller === undefined) throw new NotFoundProblem('member');
    return caller;
  }

  /** The audit event of a team keyring change (or refusal), in the caller's transaction. */
  private recordTeamEvent(
    manager: EntityManager,
    actor: Actor,
    scope: TeamScope,
    action: AuditAction,
    outcome: 'SUCCESS' | 'FAILURE',
    target: { type: 'team' | 'user'; id: string },
    details: Record<string, string | number | boolean | null>,
  ): Promise<void> {
    return this.audit.record(manager, {
      action,
      outcome,
      requestId: actor.requestId,
      actor: { userId: actor.userId, role: actor.role },
      target,
      scope: { type: scope.type, id: scope.id },
      details,
    });
  }

  /**
   * A refused grant or rotation (forged signature, wrong recipient, stale generation) is
   * worth knowing about: it is audited in its own transaction, since the refused one
   * rolled back, and the refusal is then returned unchanged.
   */
  private async auditedRefusal<T>(actor: Actor, scope: TeamScope, action: AuditAction, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof ProblemException) {
        await this.keys.transaction((manager) =>
          this.recordTeamEvent(manager, actor, scope, action, 'FAILURE', { type: 'team', id: scope.id }, {
            reason: error.code,
            field: error.fieldErrors[0]?.field ?? null,
          }),
        );
      }
      throw error;
    }
  }
}

function toNewGrant(grant: TeamKeyGrantDto): NewGrant {
  return {
    version: grant.version,
    recipientId: lower(grant.recipientUserId),
    granterId: lower(grant.granterUserId),
    recipientBoxPublicKey: grant.recipientBoxPublicKey,
    recipientSignPublicKey: grant.recipientSignPublicKey ?? null,
    sealedTeamSeed: grant.sealedTeamSeed,
    signature: grant.signature,
  };
}
