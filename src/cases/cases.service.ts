/**
 * The use cases of defender cases (docs/cases.md): create, list, open,
 * update, move through states, assign, timeline, duplicate lookup, transfer, shred.
 * Each starts with the access check (`ownEmbassy(actor)`: the caller's embassy is the
 * scope every query carries), then checks what it can of submitted sealed material
 * without a key (case-revisions.ts), then writes in one transaction with its audit
 * event. Reads of sealed content are audited in the reading statement itself.
 *
 * The server never sees a plaintext; this service must never log, echo or store one,
 * never write a wrap for anything but a scope's current team generation (it takes the
 * scope's keyring lock first), and never let a stale version overwrite a newer one.
 */
import { randomUUID, type KeyObject } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { AuditAction } from '../audit/audit-event';
import type { Actor } from '../common/authz/actor';
import { Clock } from '../common/clock';
import { decodeCursor, PAGE_LIMIT_DEFAULT, pageOf } from '../common/http/keyset-cursor';
import { NotFoundProblem, ProblemException, ValidationFailedException } from '../common/http/problem';
import { IdempotencyService } from '../common/idempotency/idempotency.service';
import { readyCrypto } from '../crypto/protocol-hash';
import type { RecordAction } from '../crypto/record-action-payload';
import { importSignPublicKey } from '../common/crypto/signature-verifier';
import { KeysRepository } from '../keys/keys.repository';
import { isUniqueViolation } from '../users/unique-violation';
import { INITIAL_CASE_STATUS } from './case-status';
import {
  CASE_ENTITY,
  CASE_EVENT_ENTITY,
  CASE_EVENT_SEALED_FIELD,
  CASE_SEALED_FIELDS,
  REQUIRED_CASE_SEALED_FIELDS,
  transferConfirmation,
} from './case-vocabulary';
import { assertCurrentVersion, assertNotShredded, assertShredConfirmation, assertTransition, fieldProblem, ownEmbassy, transferBasis } from './case.policy';
import {
  checkBlindIndexes,
  checkRecordActionSignature,
  checkRevisionSignature,
  checkRevisionStructure,
  checkWrap,
  checkWrapSignature,
} from './case-revisions';
import { toCaseEventResponse, toCaseResponse, toCaseSummaryResponse, toDuplicateCandidateResponse } from './cases.mappers';
import { CasesRepository, type CaseChanges, type CaseRow } from './cases.repository';
import type { AssignCaseRequest, ChangeCaseStatusRequest, ShredCaseRequest, TransferCaseRequest } from './dto/case-actions.dto';
import type { AppendCaseEventRequest } from './dto/case-event.dto';
import type {
  CaseEventCreatedResponse,
  CaseEventPage,
  CasePage,
  CaseResponse,
  CaseSummaryResponse,
  CaseTransferredResponse,
  DuplicateCandidatesResponse,
} from './dto/case.response';
import { MAX_DUPLICATE_CANDIDATES } from './dto/case.response';
import type { CreateCaseRequest } from './dto/create-case.dto';
import type { DuplicateSearchRequest } from './dto/duplicate-search.dto';
import type { ListCaseEventsQuery, ListCasesQuery } from './dto/list-cases.dto';
import type { UpdateCaseRequest } from './dto/update-case.dto';

/** Client-chosen ids that must be new: the primary keys (named by the migration) and the case key id. */
const UNIQUE_IDS = ['PK_264acb3048c240fb89aa34626db', 'cases_key_id_key', 'PK_61f203ee26b76c6438bbcc7bde6'];
const REFERENCE_DIGITS = 4;

function lower(id: string): string {
  return id.toLowerCase();
}

function invalidCursor(): ValidationFailedException {
  return new ValidationFailedException([{ field: 'cursor', messages: ['cursor is not one this server issued'] }]);
}

/** (createdAt, id) keyset cursors, checked so that a forged one is a 400, not a cast error. */
function decodeTimeCursor(cursor: string | undefined): { createdAt: Date; id: string } | undefined {
  if (cursor === undefined) return undefined;
  const [createdAt, id] = decodeCursor(cursor, ['text', 'uuid']);
  const at = new Date(createdAt);
  if (Number.isNaN(at.getTime()) || at.toISOString() !== createdAt) throw invalidCursor();
  return { createdAt: at, id };
}

@Injectable()
export class CasesService implements OnModuleInit {
  constructor(
    private readonly cases: CasesRepository,
    private readonly keys: KeysRepository,
    private readonly audit: AuditService,
    private readonly idempotency: IdempotencyService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /** Revision signatures hash the envelope list with libsodium's BLAKE2b (key-free): load its WASM once. */
  async onModuleInit(): Promise<void> {
    await readyCrypto();
  }

  async create(actor: Actor, request: CreateCaseRequest, idempotencyKey: string | undefined): Promise<CaseSummaryResponse> {
    const embassyId = ownEmbassy(actor);
    const id = lower(request.id);
    const keyId = lower(request.wrap.keyId);
    checkWrap('wrap', request.wrap, { keyId, scopeId: embassyId, entity: CASE_ENTITY, recordId: id, writerUserId: actor.userId });
    checkRevisionStructure(request.revision, {
      at: 'revision',
      entity: CASE_ENTITY,
      recordId: id,
      authorUserId: actor.userId,
      keyId,
      allowedFields: CASE_SEALED_FIELDS,
      requiredFields: REQUIRED_CASE_SEALED_FIELDS,
    });
    if (request.revision.version !== 1) throw fieldProblem('revision.version', 'must be 1 for a new case');
    checkBlindIndexes('blindIndexes', request.blindIndexes);
    const operation = idempotencyKey === undefined ? undefined : { actorId: actor.userId, operation: 'case.create', key: idempotencyKey, request };

    return this.cases.transaction((manager) =>
      this.idempotency.run(manager, operation, 201, async () => {
        // The signature check needs no lock: done first, it keeps the embassy's locked
        // section (keyring, then reference counter) as short as possible.
        const authorKey = await this.verifySignature(manager, embassyId, actor, 'revision', request.revision);
        checkWrapSignature('wrap', request.wrap, authorKey);
        await this.keys.lockScopeKeyring(manager, embassyId);
        await this.assertCurrentGeneration(manager, embassyId, request.wrap.generation);
        const now = this.clock.now();
        const reference = await this.allocateReference(manager, embassyId, now);
        const created = await this.unique(
          () =>
            this.cases.insertCase(manager, {
              id,
              reference,
              embassyId,
              status: INITIAL_CASE_STATUS,
              riskLevel: request.riskLevel,
              threatTypes: request.threatTypes,
              defenderGroups: request.defenderGroups,
              countryOfActivity: request.countryOfActivity,
              nextReviewAt: request.nextReviewAt === undefined || request.nextReviewAt === null ? null : new Date(request.nextReviewAt),
              consentToTransfer: request.consentToTransfer,
              consentToRefugeSharing: request.consentToRefugeSharing,
              keyId,
              envelopes: request.revision.envelopes.map((entry) => ({ field: entry.field, envelope: entry.envelope })),
              authorId: actor.userId,
              signature: request.revision.signature,
              now,
            }),
          'A case with this id or this key id already exists',
        );
        await this.cases.insertWrap(manager, request.wrap);
        await this.cases.insertBlindIndexes(manager, embassyId, id, request.blindIndexes);
        await this.record(manager, actor, 'case.created', created, { reference, revision: 1 });
        return toCaseSummaryResponse(created);
      }),
    );
  }

  async list(actor: Actor, query: ListCasesQuery): Promise<CasePage> {
    const embassyId = ownEmbassy(actor);
    const limit = query.limit ?? PAGE_LIMIT_DEFAULT;
    const rows = await this.cases.listCases(
      embassyId,
      {
        status: query.status,
        riskLevel: query.riskLevel,
        threatType: query.threatType,
        defenderGroup: query.defenderGroup,
        country: query.country,
        assigneeId: query.assignee === undefined ? undefined : lower(query.assignee),
        reviewDueBefore: query.reviewDueBefore === undefined ? undefined : new Date(query.reviewDueBefore),
      },
      limit + 1,
      decodeTimeCursor(query.cursor),
    );
    return pageOf(rows, limit, toCaseSummaryResponse, (row) => [row.created_at.toISOString(), row.id]);
  }

  /** The case with its sealed content, the caller's wrap and the author's key; audited in the same statement. */
  async get(actor: Actor, id: string): Promise<CaseResponse> {
    const embassyId = ownEmbassy(actor);
    const row = await this.cases.readSealedCase(lower(id), embassyId, actor);
    if (row === undefined) throw new NotFoundProblem('case');
    return toCaseResponse(row);
  }

  /**
   * The clear summary of the embassy's case with this reference: what a person typed
   * (KE-2026-0042) becomes the case id every other route takes. Clear fields only, like
   * the list, so not audited; another embassy's reference is "no such case" (404).
   */
  async findByReference(actor: Actor, reference: string): Promise<CaseSummaryResponse> {
    const embassyId = ownEmbassy(actor);
    const row = await this.cases.findCaseByReference(reference, embassyId);
    if (row === undefined) throw new NotFoundProblem('case');
    return toCaseSummaryResponse(row);
  }

  async update(actor: Actor, id: string, request: UpdateCaseRequest): Promise<CaseSummaryResponse> {
    const embassyId = ownEmbassy(actor);
    const caseId = lower(id);
    if (request.blindIndexes !== undefined) checkBlindIndexes('blindIndexes', request.blindIndexes);
    return this.cases.transaction(async (manager) => {
      const current = await this.cases.findCase(manager, caseId, embassyId);
      if (current === undefined) throw new NotFoundProblem('case');
      assertNotShredded(toState(current));
      assertCurrentVersion(toState(current), request.version);
      const changes: CaseChanges = {
        riskLevel: request.riskLevel,
        threatTypes: request.threatTypes,
        defenderGroups: request.defenderGroups,
        countryOfActivity: request.countryOfActivity,
        nextReviewAt: request.nextReviewAt === undefined ? undefined : request.nextReviewAt === null ? null : new Date(request.nextReviewAt),
        consentToTransfer: request.consentToTransfer,
        consentToRefugeSharing: request.consentToRefugeSharing,
      };
      const revision = request.revision;
      if (revision !== undefined) {
        checkRevisionStructure(revision, {
          at: 'revision',
          entity: CASE_ENTITY,
          recordId: caseId,
          authorUserId: actor.userId,
          keyId: current.key_id,
          allowedFields: CASE_SEALED_FIELDS,
          requiredFields: REQUIRED_CASE_SEALED_FIELDS,
        });
        if (revision.version !== current.revision + 1) {
          throw new ProblemException('conflict', `The sealed content is at revision ${current.revision}; sign revision ${current.revision + 1}`, {
            reason: 'stale-revision',
            currentVersion: current.version,
            currentRevision: current.revision,
          });
        }
        await this.verifySignature(manager, embassyId, actor, 'revision', revision);
        changes.sealed = {
          revision: revision.version,
          envelopes: revision.envelopes.map((entry) => ({ field: entry.field, envelope: entry.envelope })),
          authorId: actor.userId,
          signature: revision.signature,
        };
      }
      const updated = await this.cases.updateCase(manager, caseId, embassyId, request.version, changes, this.clock.now());
      if (updated === undefined) {
        // Another change committed since we read the case: say which version is current now.
        const now = await this.cases.findCase(manager, caseId, embassyId);
        if (now === undefined) throw new NotFoundProblem('case');
        assertNotShredded(toState(now));
        throw new ProblemException('conflict', `The case is at version ${now.version}, not ${request.version}; reload it and retry`, {
          reason: 'stale-version',
          currentVersion: now.version,
        });
      }
      if (request.blindIndexes !== undefined) await this.cases.replaceBlindIndexes(manager, embassyId, caseId, request.blindIndexes);
      await this.record(manager, actor, 'case.updated', updated, {
        version: updated.version,
        revision: updated.revision,
        sealedChanged: revision !== undefined,
        blindIndexesReplaced: request.blindIndexes !== undefined,
      });
      return toCaseSummaryResponse(updated);
    });
  }

  /** A transition of the table in case-status.ts, with its STATUS_CHANGE timeline event. */
  async changeStatus(actor: Actor, id: string, request: ChangeCaseStatusRequest): Promise<CaseSummaryResponse> {
    const embassyId = ownEmbassy(actor);
    return this.cases.transaction(async (manager) => {
      const current = await this.lockOwnCase(manager, id, embassyId);
      assertNotShredded(toState(current));
      assertCurrentVersion(toState(current), request.version);
      assertTransition(toState(current), request.to);
      const now = this.clock.now();
      const updated = await this.cases.setStatus(manager, current.id, embassyId, request.to, now);
      await this.cases.insertEvent(manager, {
        id: randomUUID(),
        caseId: current.id,
        type: 'STATUS_CHANGE',
        body: null,
        authorId: actor.userId,
        signature: null,
        details: { from: current.status, to: request.to },
        now,
      });
      await this.record(manager, actor, 'case.status-changed', updated, { from: current.status, to: request.to });
      return toCaseSummaryResponse(updated);
    });
  }

  async assign(actor: Actor, id: string, request: AssignCaseRequest): Promise<CaseSummaryResponse> {
    const embassyId = ownEmbassy(actor);
    return this.cases.transaction(async (manager) => {
      const current = await this.lockOwnCase(manager, id, embassyId);
      assertNotShredded(toState(current));
      assertCurrentVersion(toState(current), request.version);
      const assigneeId = request.assigneeId === null ? null : lower(request.assigneeId);
      // Another embassy's user, a disabled one, an NGO member: all "not an active contact here".
      if (assigneeId !== null && !(await this.cases.isActiveContact(manager, embassyId, assigneeId))) {
        throw fieldProblem('assigneeId', 'must be an active contact of the case’s embassy');
      }
      const updated = await this.cases.setAssignee(manager, current.id, embassyId, assigneeId, this.clock.now());
      await this.record(manager, actor, 'case.assigned', updated, { assigneeId, previousAssigneeId: current.assigned_to_id });
      return toCaseSummaryResponse(updated);
    });
  }

  /** A member event: one sealed body under the case key, signed as revision 1 of the event. */
  async appendEvent(actor: Actor, caseId: string, request: AppendCaseEventRequest, idempotencyKey: string | undefined): Promise<CaseEventCreatedResponse> {
    const embassyId = ownEmbassy(actor);
    const id = lower(caseId);
    const eventId = lower(request.id);
    const operation =
      idempotencyKey === undefined ? undefined : { actorId: actor.userId, operation: `case.event:${id}`, key: idempotencyKey, request };
    return this.cases.transaction((manager) =>
      this.idempotency.run(manager, operation, 201, async () => {
        // A share lock: events may be appended side by side, but not while the case is shredded or moved.
        const current = await this.lockOwnCase(manager, id, embassyId, 'share');
        assertNotShredded(toState(current));
        checkRevisionStructure(request.revision, {
          at: 'revision',
          entity: CASE_EVENT_ENTITY,
          recordId: eventId,
          authorUserId: actor.userId,
          keyId: current.key_id,
          allowedFields: [CASE_EVENT_SEALED_FIELD],
          requiredFields: [CASE_EVENT_SEALED_FIELD],
        });
        if (request.revision.version !== 1) throw fieldProblem('revision.version', 'must be 1 for a new event');
        await this.verifySignature(manager, embassyId, actor, 'revision', request.revision);
        const inserted = await this.unique(
          () =>
            this.cases.insertEvent(manager, {
              id: eventId,
              caseId: id,
              type: request.type,
              body: request.revision.envelopes[0].envelope,
              authorId: actor.userId,
              signature: request.revision.signature,
              details: {},
              now: this.clock.now(),
            }),
          'An event with this id already exists',
        );
        await this.record(manager, actor, 'case.event-added', current, { eventId, type: request.type });
        return { id: inserted.id, caseId: id, type: request.type, createdAt: inserted.created_at.toISOString() };
      }),
    );
  }

  /** A page of the timeline (oldest first); audited in the reading statement. */
  async listEvents(actor: Actor, caseId: string, query: ListCaseEventsQuery): Promise<CaseEventPage> {
    const embassyId = ownEmbassy(actor);
    const limit = query.limit ?? PAGE_LIMIT_DEFAULT;
    const timeline = await this.cases.readTimeline(lower(caseId), embassyId, actor, decodeTimeCursor(query.cursor), limit + 1);
    if (timeline === undefined) throw new NotFoundProblem('case');
    const page = pageOf(timeline.events, limit, toCaseEventResponse, (row) => [row.created_at.toISOString(), row.id]);
    return { ...page, keyId: timeline.keyId, caseShreddedAt: timeline.shreddedAt === null ? null : timeline.shreddedAt.toISOString() };
  }

  /** Candidate duplicates within the caller's embassy only; the client decrypts them to confirm. */
  async findDuplicates(actor: Actor, request: DuplicateSearchRequest): Promise<DuplicateCandidatesResponse> {
    const embassyId = ownEmbassy(actor);
    return this.cases.transaction(async (manager) => {
      const rows = await this.cases.findDuplicates(manager, embassyId, request.fieldId, [...new Set(request.values)], MAX_DUPLICATE_CANDIDATES);
      await this.audit.record(manager, {
        action: 'case.duplicates-searched',
        outcome: 'SUCCESS',
        requestId: actor.requestId,
        actor: { userId: actor.userId, role: actor.role },
        target: null,
        scope: { type: 'EMBASSY', id: embassyId },
        details: { fieldId: request.fieldId, values: request.values.length, candidates: rows.length },
      });
      return { candidates: rows.map((row) => toDuplicateCandidateResponse(request.fieldId, row)) };
    });
  }

  /**
   * Moves the case to another embassy in one transaction: the receiving embassy's wrap
   * (its current generation, signed by the caller for this case), a new reference there,
   * the sender's wraps and every blind index deleted, a TRANSFER event; the caller's
   * signature over the transfer goes into the audit event. The sender answers 404 from
   * the next request on.
   */
  async transfer(actor: Actor, id: string, request: TransferCaseRequest): Promise<CaseTransferredResponse> {
    const embassyId = ownEmbassy(actor);
    const target = lower(request.targetEmbassyId);
    return this.cases.transaction(async (manager) => {
      const current = await this.lockOwnCase(manager, id, embassyId);
      assertNotShredded(toState(current));
      assertCurrentVersion(toState(current), request.version);
      if (target === embassyId) throw fieldProblem('targetEmbassyId', 'is already the case’s embassy');
      const basis = transferBasis(toState(current), request.overrideReason);
      checkWrap('wrap', request.wrap, { keyId: current.key_id, scopeId: target, entity: CASE_ENTITY, recordId: current.id, writerUserId: actor.userId });
      // The caller signs both the re-sealed key (for this case) and the act itself, which the audit trail keeps.
      const actorKey = await this.callerSignKey(manager, embassyId, actor);
      checkWrapSignature('wrap', request.wrap, actorKey);
      const signed: RecordAction = {
        action: 'transfer',
        entity: CASE_ENTITY,
        recordId: current.id,
        version: request.version,
        actorUserId: actor.userId,
        confirmation: transferConfirmation(current.reference, target),
      };
      checkRecordActionSignature('signature', signed, request.signature, actorKey);
      // Both keyrings, in one order: the sender's loses a wrap, the receiver's gains one.
      for (const scope of [embassyId, target].sort()) await this.keys.lockScopeKeyring(manager, scope);
      const receiving = await this.keys.findCurrentGeneration(target, manager);
      // An organisation's or the network's id is no embassy: "not found", like a missing one.
      if (receiving === undefined || receiving.scope_type !== 'EMBASSY') throw new NotFoundProblem('receiving embassy team key');
      if (request.wrap.generation !== receiving.generation) {
        throw new ProblemException('conflict', `Seal the key to the receiving embassy's generation ${receiving.generation}`, {
          reason: 'stale-generation',
          currentGeneration: receiving.generation,
        });
      }
      const now = this.clock.now();
      const reference = await this.allocateReference(manager, target, now);
      const moved = await this.cases.moveCase(manager, { id: current.id, fromEmbassyId: embassyId, toEmbassyId: target, reference, keyId: current.key_id, wrap: request.wrap, now });
      const override = basis.kind === 'override';
      await this.cases.insertEvent(manager, {
        id: randomUUID(),
        caseId: current.id,
        type: 'TRANSFER',
        body: null,
        authorId: actor.userId,
        signature: null,
        details: {
          fromEmbassyId: embassyId,
          toEmbassyId: target,
          previousReference: current.reference,
          reference,
          basis: basis.kind,
          overrideReason: basis.kind === 'override' ? basis.reason : null,
        },
        now,
      });
      const details = {
        fromEmbassyId: embassyId,
        toEmbassyId: target,
        previousReference: current.reference,
        reference,
        basis: basis.kind,
        ...signedActionDetails(signed, request.signature),
      };
      await this.record(manager, actor, 'case.transferred', { ...current, embassy_id: embassyId }, details);
      if (basis.kind === 'override') {
        await this.record(manager, actor, 'case.transfer-override', { ...current, embassy_id: embassyId }, { ...details, overrideReason: basis.reason });
      }
      return { id: moved.id, fromEmbassyId: embassyId, toEmbassyId: target, reference, override, transferredAt: now.toISOString() };
    });
  }

  /**
   * The emergency erase: irreversible. Every wrap of the case key goes (nobody can open
   * the key any more), the envelopes and event bodies are erased, blind indexes deleted;
   * the clear skeleton stays, marked shredded. The typed confirmation is the deliberate
   * act, and the caller signs it with the case's current version (protocol 2): the audit
   * trail keeps that signature as proof a member asked. A stale version answers 409 and
   * the client re-reads and re-signs, which costs one round trip, not the erase.
   */
  async shred(actor: Actor, id: string, request: ShredCaseRequest): Promise<CaseSummaryResponse> {
    const embassyId = ownEmbassy(actor);
    return this.cases.transaction(async (manager) => {
      const current = await this.lockOwnCase(manager, id, embassyId);
      assertNotShredded(toState(current));
      assertShredConfirmation(toState(current), request.confirm);
      assertCurrentVersion(toState(current), request.version);
      const signed: RecordAction = {
        action: 'shred',
        entity: CASE_ENTITY,
        recordId: current.id,
        version: request.version,
        actorUserId: actor.userId,
        confirmation: request.confirm,
      };
      checkRecordActionSignature('signature', signed, request.signature, await this.callerSignKey(manager, embassyId, actor));
      await this.keys.lockScopeKeyring(manager, embassyId);
      const shredded = await this.cases.shredCase(manager, current.id, embassyId, current.key_id, this.clock.now());
      await this.record(manager, actor, 'case.shredded', shredded.row, {
        wrapsDeleted: shredded.wraps,
        eventBodiesErased: shredded.events,
        ...signedActionDetails(signed, request.signature),
      });
      return toCaseSummaryResponse(shredded.row);
    });
  }

  private async lockOwnCase(manager: EntityManager, id: string, embassyId: string, mode: 'update' | 'share' = 'update'): Promise<CaseRow> {
    const current = await this.cases.lockCase(manager, lower(id), embassyId, mode);
    if (current === undefined) throw new NotFoundProblem('case');
    return current;
  }

  /** Wraps are added for the scope's current generation only, under its keyring lock (held by the caller). */
  private async assertCurrentGeneration(manager: EntityManager, embassyId: string, generation: number): Promise<void> {
    const current = await this.keys.findCurrentGeneration(embassyId, manager);
    if (current === undefined) {
      throw new ProblemException('conflict', 'Your embassy has no team key yet: create it before writing cases', { reason: 'no-team-key' });
    }
    if (generation !== current.generation) {
      throw new ProblemException('conflict', `Seal the case key to your embassy's current generation ${current.generation}`, {
        reason: 'stale-generation',
        currentGeneration: current.generation,
      });
    }
  }

  /** The revision's signature against the caller's registered key (the author is the caller, checked before); returns that key. */
  private async verifySignature(manager: EntityManager, embassyId: string, actor: Actor, at: string, revision: CreateCaseRequest['revision']): Promise<KeyObject> {
    const authorKey = await this.callerSignKey(manager, embassyId, actor);
    checkRevisionSignature(at, revision, authorKey);
    return authorKey;
  }

  /** The caller's registered Ed25519 key: every signature a case route takes is the caller's. */
  private async callerSignKey(manager: EntityManager, embassyId: string, actor: Actor): Promise<KeyObject> {
    const caller = await this.keys.findMemberKeys(embassyId, actor.userId, manager);
    if (caller === undefined) throw new NotFoundProblem('member');
    return importSignPublicKey(caller.sign_public_key);
  }

  private async allocateReference(manager: EntityManager, embassyId: string, now: Date): Promise<string> {
    const year = now.getUTCFullYear();
    const { country, number } = await this.cases.allocateReference(manager, embassyId, year);
    return `${country}-${year}-${String(number).padStart(REFERENCE_DIGITS, '0')}`;
  }

  private async unique<T>(insert: () => Promise<T>, conflict: string): Promise<T> {
    try {
      return await insert();
    } catch (error) {
      if (UNIQUE_IDS.some((constraint) => isUniqueViolation(error, constraint))) {
        throw new ProblemException('conflict', conflict, { reason: 'already-exists' });
      }
      throw error;
    }
  }

  private async record(
    manager: EntityManager,
    actor: Actor,
    action: AuditAction,
    row: Pick<CaseRow, 'id' | 'embassy_id'>,
    details: Record<string, string | number | boolean | null>,
  ): Promise<void> {
    await this.audit.record(manager, {
      action,
      outcome: 'SUCCESS',
      requestId: actor.requestId,
      actor: { userId: actor.userId, role: actor.role },
      target: { type: 'case', id: row.id },
      scope: { type: 'EMBASSY', id: row.embassy_id },
      details,
    });
  }
}

/** What the audit trail keeps of a signed record action: proof of who asked for what, on which version. */
function signedActionDetails(action: RecordAction, signature: string): { actorSignature: string; signedVersion: number; confirmation: string } {
  return { actorSignature: signature, signedVersion: action.version, confirmation: action.confirmation };
}

function toState(row: CaseRow): { reference: string; version: number; status: CaseRow['status']; shreddedAt: Date | null; consentToTransfer: boolean } {
  return { reference: row.reference, version: row.version, status: row.status, shreddedAt: row.shredded_at, consentToTransfer: row.consent_to_transfer };
}
