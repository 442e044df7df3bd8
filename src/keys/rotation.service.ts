/**
 * Chunked, resumable rotation of a scope's team key (docs/protocol.md §5.16). A rotation
 * from generation g to g+1 is a row of team_key_rotations:
 *
 * - its start makes g+1 (with its history link and a grant for every member holding g)
 *   and makes it current at once — new records are sealed to it from then on, and no
 *   wrap of g can be written any more (keyring.repository.ts) — and records the rotation
 *   IN_PROGRESS with the number of data keys sealed to g;
 * - members holding g+1 (and g, to open the keys) page through the data keys that have
 *   no wrap of g+1 yet and post them re-sealed and signed, in chunks: each chunk is one
 *   transaction with its audit event, written only while the rotation is in progress and
 *   only next to the g wrap of the same key and record (both checked in the statement);
 * - the g wraps stay until the rotation completes, so no reader is ever without a key;
 *   completing (only when no key awaits, checked in the completing UPDATE) deletes them.
 *
 * A rotation stopped half way is found (`GET /keys/team/rotations/current`) and finished
 * from any device of a member holding both generations. At most one is in progress per
 * scope (a partial unique index); a second start is 409 `rotation-in-progress`.
 *
 * Every method begins with its access check (`ownKeyring(actor)`). This service checks
 * what the server can check of each grant and wrap (keys.service.ts says what) and must
 * never write a wrap it has not verified as the caller's, nor complete a rotation while a
 * data key of the scope lacks a wrap of the new generation.
 */
import { randomUUID, type KeyObject } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Actor } from '../common/authz/actor';
import { Database } from '../common/database/database';
import { fieldProblem, NotFoundProblem, ProblemException } from '../common/http/problem';
import { checkProtocolInput } from '../common/http/protocol-input';
import { fromBase64UrlOfLength } from '../crypto/binary-encoding';
import { validateSignedDataKeyWrap, type SignedDataKeyWrap } from '../crypto/data-key-wrap-payload';
import { teamKeyFingerprint } from '../crypto/fingerprint';
import { validateHistoryLink } from '../crypto/key-bundles';
import { BOX_PUBLIC_KEY_BYTES } from '../crypto/protocol-constants';
import { importSignPublicKey, verifyDataKeyWrapOnServer } from '../common/crypto/signature-verifier';
import { validateTeamKeyGrant } from '../crypto/team-grant-payload';
import type { AddRotationChunkRequest } from './dto/add-rotation-chunk.dto';
import { MAX_DATA_KEYS_PAGE } from './dto/key-limits';
import type { ListDataKeysQuery } from './dto/list-data-keys.dto';
import type { PendingDataKeysPage, RotationChunkResponse, RotationResponse } from './dto/rotation.response';
import type { StartRotationRequest } from './dto/start-rotation.dto';
import { verifyGrant } from './grant-verification';
import { KeysAudit } from './keys-audit';
import { toPendingDataKeysPage, toRotationChunkResponse, toRotationResponse } from './keys.mappers';
import { assertCurrentGrantVersion, assertOwnScope, compareRecipients, lower, ownKeyring, toNewGrant, type TeamScope } from './keys.policy';
import { isUniqueViolation } from '../common/database/unique-violation';
import { KeysRepository, type MemberKeysRow } from './keys.repository';
import { KeyringRepository } from './keyring.repository';
import { requireCurrentGeneration } from './keys.service';
import { RotationRepository, type RotationRow } from './rotation.repository';

function notInProgress(rotation: RotationRow): ProblemException {
  return new ProblemException('conflict', `Rotation ${rotation.id} is ${rotation.state.toLowerCase().replace('_', ' ')}, not in progress`, {
    reason: 'rotation-not-in-progress',
    rotationId: rotation.id,
    state: rotation.state,
  });
}

@Injectable()
export class RotationService {
  constructor(
    private readonly keys: KeysRepository,
    private readonly keyring: KeyringRepository,
    private readonly rotations: RotationRepository,
    private readonly database: Database,
    private readonly audit: KeysAudit,
  ) {}

  /**
   * Starts the rotation to generation g+1 (see above). The body may carry re-sealed data
   * keys, checked and written as a chunk; when none is then left awaiting, the rotation
   * completes in the same transaction (what a client written before chunked rotations,
   * which sends every key here, expects). Concurrent starts: the keyring lock, the
   * generation's primary key and the one-in-progress index let exactly one through.
   */
  async start(actor: Actor, request: StartRotationRequest): Promise<RotationResponse> {
    const scope = ownKeyring(actor);
    return this.audit.refusal(actor, scope, 'keys.rotation-started', async () => {
      const next = request.generation;
      const resealed = request.resealedDataKeys ?? [];
      this.checkStartStructure(scope, request);
      this.checkWrapsStructure(actor, scope, next, resealed);
      const fingerprint = teamKeyFingerprint(scope.id, next, fromBase64UrlOfLength(request.teamBoxPublicKey, BOX_PUBLIC_KEY_BYTES, 'teamBoxPublicKey'));

      return this.database.transaction(async (manager) => {
        await this.keyring.lockKeyring(manager, scope.id);
        const current = await requireCurrentGeneration(this.keys, manager, scope);
        const inProgress = await this.rotations.findInProgress(manager, scope.id);
        if (inProgress !== undefined) {
          throw new ProblemException('conflict', `A rotation to generation ${inProgress.to_generation} is in progress: finish it first`, {
            reason: 'rotation-in-progress',
            rotationId: inProgress.id,
            currentGeneration: current.generation,
          });
        }
        if (next !== current.generation + 1) {
          throw new ProblemException('conflict', `Generation ${next} cannot follow the current generation ${current.generation}`, {
            reason: 'stale-generation',
            currentGeneration: current.generation,
          });
        }
        if (!(await this.keys.holdsGeneration(manager, scope.id, current.generation, actor.userId))) {
          throw new ProblemException('forbidden', `You hold no key of generation ${current.generation} to rotate`);
        }
        const caller = await this.callerKeys(manager, scope, actor);
        const callerSignKey = importSignPublicKey(caller.sign_public_key);
        const recipientIds = request.grants.map((grant) => lower(grant.recipientUserId));
        const eligible = new Map((await this.keys.findEligibleMembers(manager, scope.id, recipientIds)).map((member) => [member.user_id, member]));
        this.verifySignatures(resealed, callerSignKey);
        request.grants.forEach((grant, index) =>
          verifyGrant(grant, {
            field: `grants.${index}`,
            scope,
            generation: next,
            teamBoxPublicKey: request.teamBoxPublicKey,
            caller,
            callerSignKey,
            recipient: eligible.get(lower(grant.recipientUserId)),
          }),
        );
        const holders = (await this.keys.findHolders(manager, scope.id, current.generation, null)).map((member) => member.user_id);
        const { missing, unexpected } = compareRecipients(holders, recipientIds);
        if (missing.length > 0 || unexpected.length > 0) {
          throw new ProblemException('conflict', 'The rotation must grant exactly the members who hold the current generation', {
            reason: 'incomplete-grants',
            missingMembers: missing,
            unexpectedMembers: unexpected,
          });
        }
        await this.assertBoundToStoredRecords(manager, scope, current.generation, resealed);

        // First: writers of new wraps hold this row FOR SHARE (keyring.repository.ts); once
        // it is superseded none can seal to generation g, so the set of keys awaiting the
        // rotation only shrinks from here on.
        if (!(await this.keys.supersedeGeneration(manager, scope.id, current.generation))) {
          throw new Error('the current generation was not current under the keyring lock');
        }
        await this.insertNextGeneration(manager, scope, {
          generation: next,
          scopeType: scope.type,
          teamBoxPublicKey: request.teamBoxPublicKey,
          fingerprint,
          historyLink: request.historyLink,
          createdBy: actor.userId,
        });
        const grants = await this.keys.insertGrants(manager, scope.id, next, request.grants.map(toNewGrant));
        if (grants.length !== request.grants.length) {
          // The recipients were checked under the keyring lock; a difference here is our bug.
          throw new Error('rotation wrote a different number of grants than it checked');
        }
        const rotationId = randomUUID();
        await this.insertRotation(manager, scope, { id: rotationId, fromGeneration: current.generation, startedBy: actor.userId });
        const started = await this.requireRotation(manager, scope, rotationId);
        // Older grants of the remaining members stay: they reveal nothing their holders do
        // not already have, and they keep the chains of grants that vouch for each member's
        // keys (docs/protocol.md §5.12) intact across rotations.
        await this.audit.record(manager, actor, scope, 'keys.rotation-started', 'SUCCESS', { type: 'rotation', id: rotationId }, {
          generation: next,
          previousGeneration: current.generation,
          grants: grants.length,
          dataKeysTotal: started.data_keys_total,
        });
        if (resealed.length > 0) await this.writeChunk(manager, actor, scope, started, resealed);
        if ((await this.rotations.countAwaiting(manager, scope.id, rotationId)) === 0) {
          await this.completeInTransaction(manager, actor, scope, started);
        }
        return toRotationResponse(await this.requireRotation(manager, scope, rotationId));
      });
    });
  }

  /** The rotation of my scope in progress (404 when none is): what `--resume` finishes. */
  async current(actor: Actor): Promise<RotationResponse> {
    const scope = ownKeyring(actor);
    const rotation = await this.rotations.findInProgress(this.database.manager, scope.id);
    if (rotation === undefined) throw new NotFoundProblem('rotation in progress');
    return toRotationResponse(rotation);
  }

  /**
   * A keyset page of the data keys still awaiting the rotation: their wraps of the
   * previous generation, to open with its key and re-seal. The page looks at the next
   * `limit` keys of the previous generation and answers those still awaiting, so it may
   * hold fewer (none, when others re-sealed them) while `nextAfter` is not null; it is
   * empty with `nextAfter` null once the walk is over.
   */
  async pendingDataKeys(actor: Actor, rotationId: string, query: ListDataKeysQuery): Promise<PendingDataKeysPage> {
    const scope = ownKeyring(actor);
    const manager = this.database.manager;
    const rotation = await this.requireRotation(manager, scope, lower(rotationId));
    const limit = query.limit ?? MAX_DATA_KEYS_PAGE;
    if (rotation.state !== 'IN_PROGRESS') return toPendingDataKeysPage(rotation.id, [], null);
    const page = await this.rotations.findAwaitingPage(manager, scope.id, rotation, query.after === undefined ? undefined : lower(query.after), limit);
    return toPendingDataKeysPage(rotation.id, page.awaiting, page.looked === limit ? (page.lastKeyId ?? null) : null);
  }

  /**
   * One chunk of re-sealed data keys, in one transaction with its audit event. A key
   * already re-sealed (a chunk sent again after a lost answer) is left as it is; a key
   * the scope no longer holds under the previous generation (shredded or moved meanwhile)
   * is ignored; both are counted in the answer.
   */
  async addChunk(actor: Actor, rotationId: string, request: AddRotationChunkRequest): Promise<RotationChunkResponse> {
    const scope = ownKeyring(actor);
    const id = lower(rotationId);
    return this.audit.refusal(
      actor,
      scope,
      'keys.rotation-chunk',
      async () => {
        const known = await this.requireRotation(this.database.manager, scope, id);
        this.checkWrapsStructure(actor, scope, known.to_generation, request.resealedDataKeys);
        // Signatures need no lock: checked first, they keep the keyring's locked section short.
        const caller = await this.callerKeys(this.database.manager, scope, actor);
        this.verifySignatures(request.resealedDataKeys, importSignPublicKey(caller.sign_public_key));
        return this.database.transaction(async (manager) => {
          await this.keyring.lockKeyring(manager, scope.id);
          const rotation = await this.requireRotation(manager, scope, id);
          if (rotation.state !== 'IN_PROGRESS') throw notInProgress(rotation);
          await this.assertHolds(manager, scope, actor, rotation.to_generation);
          const result = await this.writeChunk(manager, actor, scope, rotation, request.resealedDataKeys);
          return toRotationChunkResponse(await this.requireRotation(manager, scope, id), result, request.resealedDataKeys.length);
        });
      },
      { type: 'rotation', id },
    );
  }

  /**
   * Completes the rotation once no data key of the scope lacks a wrap of the new
   * generation (409 `rotation-incomplete` with how many still do): the previous
   * generations' wraps are deleted, audited as `keys.rotated`. Completing a completed
   * rotation answers it as it is (a retry after a lost answer).
   */
  async complete(actor: Actor, rotationId: string): Promise<RotationResponse> {
    const scope = ownKeyring(actor);
    const id = lower(rotationId);
    return this.audit.refusal(
      actor,
      scope,
      'keys.rotated',
      () =>
        this.database.transaction(async (manager) => {
          await this.keyring.lockKeyring(manager, scope.id);
          const rotation = await this.requireRotation(manager, scope, id);
          if (rotation.state === 'COMPLETED') return toRotationResponse(rotation);
          await this.assertHolds(manager, scope, actor, rotation.to_generation);
          await this.completeInTransaction(manager, actor, scope, rotation);
          return toRotationResponse(await this.requireRotation(manager, scope, id));
        }),
      { type: 'rotation', id },
    );
  }

  private async completeInTransaction(manager: EntityManager, actor: Actor, scope: TeamScope, rotation: RotationRow): Promise<void> {
    if (!(await this.rotations.complete(manager, scope.id, rotation.id, actor.userId))) {
      const awaiting = await this.rotations.countAwaiting(manager, scope.id, rotation.id);
      throw new ProblemException('conflict', `${awaiting} data keys still have no wrap of generation ${rotation.to_generation}`, {
        reason: 'rotation-incomplete',
        rotationId: rotation.id,
        awaiting,
      });
    }
    const wrapsDeleted = await this.rotations.deleteSupersededWraps(manager, scope.id, rotation.id, rotation.to_generation);
    const done = await this.requireRotation(manager, scope, rotation.id);
    await this.audit.record(manager, actor, scope, 'keys.rotated', 'SUCCESS', { type: 'rotation', id: rotation.id }, {
      generation: rotation.to_generation,
      previousGeneration: rotation.from_generation,
      grants: done.grants,
      dataKeys: done.data_keys_resealed,
      chunks: done.chunks,
      wrapsDeleted,
    });
  }

  /** Rebindings checked, then the one statement that writes the chunk (or nothing, if the rotation is no longer in progress). */
  private async writeChunk(
    manager: EntityManager,
    actor: Actor,
    scope: TeamScope,
    rotation: RotationRow,
    wraps: readonly SignedDataKeyWrap[],
  ): Promise<{ resealed: number; gone: number; rotations: number }> {
    await this.assertBoundToStoredRecords(manager, scope, rotation.from_generation, wraps);
    const result = await this.rotations.insertChunk(manager, scope.id, rotation.id, wraps);
    if (result.rotations === 0) throw notInProgress({ ...rotation, state: 'COMPLETED' });
    await this.audit.record(manager, actor, scope, 'keys.rotation-chunk', 'SUCCESS', { type: 'rotation', id: rotation.id }, {
      generation: rotation.to_generation,
      submitted: wraps.length,
      resealed: result.resealed,
      gone: result.gone,
    });
    return result;
  }

  /** Each key is re-signed for the record it already belongs to: a rotation never moves one. */
  private async assertBoundToStoredRecords(manager: EntityManager, scope: TeamScope, fromGeneration: number, wraps: readonly SignedDataKeyWrap[]): Promise<void> {
    const [rebound] = await this.rotations.findRebindings(manager, scope.id, fromGeneration, wraps);
    if (rebound !== undefined) {
      throw fieldProblem(`resealedDataKeys.${rebound.index}.${rebound.field}`, 'must be the record the stored wrap of this key belongs to');
    }
  }

  /** Everything about a start body that needs no database, besides its wraps: keys, history link, grants. */
  private checkStartStructure(scope: TeamScope, request: StartRotationRequest): void {
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
  }

  /** Each re-sealed wrap: structure, the caller's scope, the new generation, written by the caller, each key once. */
  private checkWrapsStructure(actor: Actor, scope: TeamScope, generation: number, wraps: readonly SignedDataKeyWrap[]): void {
    const keyIds = new Set<string>();
    wraps.forEach((sealed, index) => {
      checkProtocolInput(`resealedDataKeys.${index}`, () => validateSignedDataKeyWrap(sealed));
      assertOwnScope(scope, sealed.scopeId);
      if (sealed.generation !== generation) throw fieldProblem(`resealedDataKeys.${index}.generation`, `must be the rotation's new generation ${generation}`);
      if (lower(sealed.writerUserId) !== actor.userId) throw fieldProblem(`resealedDataKeys.${index}.writerUserId`, 'must be the caller');
      const keyId = lower(sealed.keyId);
      if (keyIds.has(keyId)) throw fieldProblem(`resealedDataKeys.${index}.keyId`, 'appears twice');
      keyIds.add(keyId);
    });
  }

  private verifySignatures(wraps: readonly SignedDataKeyWrap[], callerSignKey: KeyObject): void {
    wraps.forEach((wrap, index) => checkProtocolInput(`resealedDataKeys.${index}.signature`, () => verifyDataKeyWrapOnServer(wrap, callerSignKey)));
  }

  private async assertHolds(manager: EntityManager, scope: TeamScope, actor: Actor, generation: number): Promise<void> {
    if (!(await this.keys.holdsGeneration(manager, scope.id, generation, actor.userId))) {
      throw new ProblemException('forbidden', `You hold no key of generation ${generation} to re-seal to it`);
    }
  }

  private async requireRotation(manager: EntityManager, scope: TeamScope, rotationId: string): Promise<RotationRow> {
    const rotation = await this.rotations.findRotation(manager, scope.id, rotationId);
    // Another scope's rotation and a missing one answer alike.
    if (rotation === undefined) throw new NotFoundProblem('rotation');
    return rotation;
  }

  private async insertNextGeneration(manager: EntityManager, scope: TeamScope, generation: Parameters<KeysRepository['insertGeneration']>[2]): Promise<void> {
    try {
      await this.keys.insertGeneration(manager, scope.id, generation);
    } catch (error) {
      if (isUniqueViolation(error)) throw new ProblemException('conflict', `Generation ${generation.generation} already exists`, { reason: 'stale-generation' });
      throw error;
    }
  }

  private async insertRotation(manager: EntityManager, scope: TeamScope, rotation: { id: string; fromGeneration: number; startedBy: string }): Promise<void> {
    try {
      await this.rotations.insertRotation(manager, scope.id, rotation);
    } catch (error) {
      // The keyring lock serialises starts; the index is PostgreSQL's word on it all the same.
      if (isUniqueViolation(error)) throw new ProblemException('conflict', 'A rotation of this scope is already in progress', { reason: 'rotation-in-progress' });
      throw error;
    }
  }

  /** The caller's registered keys; the guard has checked they are active with MFA. */
  private async callerKeys(manager: EntityManager, scope: TeamScope, actor: Actor): Promise<MemberKeysRow> {
    const caller = await this.keys.findMember(manager, scope.id, actor.userId);
    if (caller === undefined) throw new NotFoundProblem('member');
    return caller;
  }
}
