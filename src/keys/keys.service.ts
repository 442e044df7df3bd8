/**
 * Key directory and team keys (PROTOCOL.md, docs/protocol.md §5.6–5.7, §8): public keys
 * of the caller's scope's members, any scope's current team public key, and the team
 * keyring of the caller's own scope — generation 1, grants, rotations.
 *
 * The server checks what it can without a key: structure, that every id names the
 * caller's scope, that the signer is the caller and holds the generation, that the
 * recipient is an eligible member whose registered key the seed was sealed to, that the
 * signed team key is the generation's, and the Ed25519 signature (node:crypto). It must
 * never create, alter or re-sign a grant, and never seal anything to an ADMIN or AUDITOR
 * (they are never members of a scope). Every write and its audit event share one
 * transaction; a refused grant or rotation is audited on its own.
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
import { validateHistoryLink, validateSealedDataKey } from '../crypto/key-bundles';
import { BOX_PUBLIC_KEY_BYTES } from '../crypto/protocol-constants';
import { readyCrypto } from '../crypto/protocol-hash';
import { importSignPublicKey, verifyTeamKeyGrantOnServer } from '../crypto/signature-verifier';
import { validateTeamKeyGrant } from '../crypto/team-grant-payload';
import type { TeamKeyGrantDto } from './dto/key-material.dto';
import type { CreateTeamRequest, DataKeysPageQuery, RotateTeamRequest } from './dto/keys-requests.dto';
import { MAX_DATA_KEYS_PAGE } from './dto/keys-requests.dto';
import type {
  DirectoryTeamKeyResponse,
  GrantCreatedResponse,
  MyTeamKeysResponse,
  RotationResponse,
  SealedDataKeysPageResponse,
  TeamMembersResponse,
  TeamPublicKeyResponse,
  UserPublicKeysResponse,
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

  /** A member of the caller's scope; any other user (another scope, an admin) is "not found". */
  async userKeys(actor: Actor, userId: string): Promise<UserPublicKeysResponse> {
    const scope = ownTeamScope(actor);
    const member = await this.keys.findMemberKeys(scope.id, userId);
    if (member === undefined) throw new NotFoundProblem('user');
    return toUserPublicKeysResponse(member);
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
      await this.audit.record(manager, {
        action: 'keys.team-created',
        outcome: 'SUCCESS',
        requestId: actor.requestId,
        actor: { userId: actor.userId, role: actor.role },
        target: { type: 'team', id: scope.id },
        scope: { type: scope.type, id: scope.id },
        details: { generation: 1 },
      });
      return toTeamPublicKeyResponse(created);
    });
  }

  /** Eligible members of my scope with no grant for the current generation. */
  async pendingMembers(actor: Actor): Promise<TeamMembersResponse> {
    const scope = ownTeamScope(actor);
    const current = await this.requireCurrentGeneration(scope);
    const members = await this.keys.findPendingMembers(scope.id, current.generation);
    return { scopeId: scope.id, generation: current.generation, members: members.map(toTeamMemberResponse) };
  }

  /** Eligible members of my scope holding the current generation: a rotation re-grants them. */
  async holders(actor: Actor): Promise<TeamMembersResponse> {
    const scope = ownTeamScope(actor);
    const current = await this.requireCurrentGeneration(scope);
    const members = await this.keys.findHolders(scope.id, current.generation);
    return { scopeId: scope.id, generation: current.generation, members: members.map(toTeamMemberResponse) };
  }

  /** A grant of the current generation, made and signed by the caller, to a member of the scope. */
  async createGrant(actor: Actor, grant: TeamKeyGrantDto): Promise<GrantCreatedResponse> {
    const scope = ownTeamScope(actor);
    return this.auditedRefusal(actor, scope, 'keys.grant-created', async () => {
      checkProtocolInput('grant', () => validateTeamKeyGrant(grant));
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
        await this.audit.record(manager, {
          action: 'keys.grant-created',
          outcome: 'SUCCESS',
          requestId: actor.requestId,
          actor: { userId: actor.userId, role: actor.role },
          target: { type: 'user', id: inserted.recipient_id },
          scope: { type: scope.type, id: scope.id },
          details: { generation: current.generation },
        });
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
      this.checkRotationStructure(scope, request);
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
        const caller = await this.callerKeys(manager, scope, actor);
        const callerSignKey = importSignPublicKey(caller.sign_public_key);
        const recipientIds = request.grants.map((grant) => lower(grant.recipientUserId));
        const eligible = new Map(
          (await this.keys.findEligibleMembers(manager, scope.id, recipientIds)).map((member) => [member.user_id, member]),
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
        const removedGrants = await this.keys.deleteGrantsBefore(manager, scope.id, next);
        await this.audit.record(manager, {
          action: 'keys.rotated',
          outcome: 'SUCCESS',
          requestId: actor.requestId,
          actor: { userId: actor.userId, role: actor.role },
          target: { type: 'team', id: scope.id },
          scope: { type: scope.type, id: scope.id },
          details: { generation: next, previousGeneration: current.generation, grants: grants.length, dataKeys: resealed, removedGrants },
        });
        return { ...toTeamPublicKeyResponse(created), grantsCreated: grants.length, dataKeysResealed: resealed };
      });
    });
  }

  /** Everything about a rotation body that needs no database: structure, ids, generations, duplicates. */
  private checkRotationStructure(scope: TeamScope, request: RotateTeamRequest): void {
    const next = request.generation;
    checkProtocolInput('teamBoxPublicKey', () => fromBase64UrlOfLength(request.teamBoxPublicKey, BOX_PUBLIC_KEY_BYTES, 'teamBoxPublicKey'));
    checkProtocolInput('historyLink', () => validateHistoryLink(request.historyLink));
    assertOwnScope(scope, request.historyLink.scopeId);
    if (request.historyLink.generation !== next) throw fieldProblem('historyLink.generation', 'must equal generation');
    const recipients = new Set<string>();
    request.grants.forEach((grant, index) => {
      checkProtocolInput(`grants.${index}`, () => validateTeamKeyGrant(grant));
      assertOwnScope(scope, grant.scopeId);
      if (grant.generation !== next) throw fieldProblem(`grants.${index}.generation`, 'must equal generation');
      const recipient = lower(grant.recipientUserId);
      if (recipients.has(recipient)) throw fieldProblem(`grants.${index}.recipientUserId`, 'is granted twice');
      recipients.add(recipient);
    });
    const keyIds = new Set<string>();
    request.resealedDataKeys.forEach((sealed, index) => {
      checkProtocolInput(`resealedDataKeys.${index}`, () => validateSealedDataKey(sealed));
      assertOwnScope(scope, sealed.scopeId);
      if (sealed.generation !== next) throw fieldProblem(`resealedDataKeys.${index}.generation`, 'must equal generation');
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
          this.audit.record(manager, {
            action,
            outcome: 'FAILURE',
            requestId: actor.requestId,
            actor: { userId: actor.userId, role: actor.role },
            target: { type: 'team', id: scope.id },
            scope: { type: scope.type, id: scope.id },
            details: { reason: error.code, field: error.fieldErrors[0]?.field ?? null },
          }),
        );
      }
      throw error;
    }
  }
}

function toNewGrant(grant: TeamKeyGrantDto): NewGrant {
  return {
    recipientId: lower(grant.recipientUserId),
    granterId: lower(grant.granterUserId),
    recipientBoxPublicKey: grant.recipientBoxPublicKey,
    sealedTeamSeed: grant.sealedTeamSeed,
    signature: grant.signature,
  };
}
