/**
 * The use cases of defender cases (docs/cases.md): create, list, open,
 * update, move through states, assign, timeline, duplicate lookup, transfer, shred.
 * Each starts with the access check (`ownEmbassy(actor)`: the caller's embassy, a
 * branded id every repository call takes), then checks what it can of submitted sealed
 * material without a key (the sealed-record kit, src/sealed-records/, and the keyring's
 * wrap checks), then writes in one transaction with its audit event — or, for the hot
 * paths (create, audited reads), in one statement that carries its audit event.
 *
 * The server never sees a plaintext; this service must never log, echo or store one,
 * never write a wrap for anything but a scope's current team generation (the keyring
 * checks it in the writing statement), and never let a stale version overwrite a newer one.
 */
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { CaseAuditAction } from './case-audit-actions';
import type { Actor } from '../common/authz/actor';
import { ownEmbassy, type EmbassyId } from '../common/authz/scope';
import { Clock } from '../common/clock';
import { Database } from '../common/database/database';
import { isUniqueViolation } from '../common/database/unique-violation';
import { decodeTimeCursor, PAGE_LIMIT_DEFAULT, pageOf, timeCursorOf } from '../common/http/keyset-cursor';
import { fieldProblem, NotFoundProblem, ProblemException, VersionConflictProblem } from '../common/http/problem';
import { IdempotencyService } from '../common/idempotency/idempotency.service';
import { readyCrypto } from '../crypto/protocol-hash';
import type { RecordAction } from '../crypto/record-action-payload';
import { KeyringService } from '../keys/keyring.service';
import {
  checkBlindIndexes,
  checkRecordActionSignature,
  checkRevisionSignature,
  checkRevisionStructure,
  checkWrapSignature,
} from '../sealed-records/sealed-material.checks';
import { INITIAL_CASE_STATUS } from './case-status';
import { CASE_EVENT_RECORD, CASE_RECORD } from './case-records';
import { CASE_ENTITY, transferConfirmation } from '../contract/case-vocabulary';
import { assertCurrentVersion, assertNotShredded, assertShredConfirmation, assertTransition, transferBasis } from './case.policy';
import { toCaseEventResponse, toCaseResponse, toCaseSummaryResponse, toDuplicateCandidateResponse } from './cases.mappers';
import { CasesRepository, type CaseChanges, type CaseRow } from './cases.repository';
import type { AssignCaseRequest } from './dto/assign-case.dto';
import type { ChangeCaseStatusRequest } from './dto/change-case-status.dto';
import type { ShredCaseRequest } from './dto/shred-case.dto';
import type { TransferCaseRequest } from './dto/transfer-case.dto';
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
import type { ListCaseEventsQuery } from './dto/list-case-events.dto';
import type { ListCasesQuery } from './dto/list-cases.dto';
import type { UpdateCaseRequest } from './dto/update-case.dto';

function lower(id: string): string {
  return id.toLowerCase();
}

@Injectable()
export class CasesService implements OnModuleInit {
  constructor(
    private readonly cases: CasesRepository,
    private readonly keyring: KeyringService,
    private readonly audit: AuditService,
    private readonly idempotency: IdempotencyService,
    private readonly database: Database,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /** Revision signatures hash the envelope list with libsodium's BLAKE2b (key-free): load its WASM once. */
  async onModuleInit(): Promise<void> {
    await readyCrypto();
  }

  /**
   * Checked without the database first; then, without a key, the author's key (one read)
   * and one statement that writes the case, its reference, wrap, blind indexes and audit
   * event. With an Idempotency-Key, the same inside a transaction that keeps the response.
   */
  async create(actor: Actor, request: CreateCaseRequest, idempotencyKey: string | undefined): Promise<CaseSummaryResponse> {
    const embassy = ownEmbassy(actor);
    const id = lower(request.id);
    const keyId = lower(request.wrap.keyId);
    this.keyring.checkWrap('wrap', request.wrap, { entity: CASE_ENTITY, recordId: id, keyId, scope: embassy, writerUserId: actor.userId });
    checkRevisionStructure(request.revision, { at: 'revision', type: CASE_RECORD, recordId: id, authorUserId: actor.userId, keyId });
    if (request.revision.version !== 1) throw fieldProblem('revision.version', 'must be 1 for a new case');
    checkBlindIndexes('blindIndexes', request.blindIndexes);
    if (idempotencyKey === undefined) return this.createCase(this.database.manager, embassy, actor, request);
    const operation = { actorId: actor.userId, operation: 'case.create', key: idempotencyKey, request };
    return this.database.transaction((manager) =>
      this.idempotency.run(manager, operation, 201, () => this.createCase(manager, embassy, actor, request)),
    );
  }

  private async createCase(manager: EntityManager, embassy: EmbassyId, actor: Actor, request: CreateCaseRequest): Promise<CaseSummaryResponse> {
    const authorKey = await this.keyring.memberSignKey(manager, embassy, actor.userId);
    checkRevisionSignature('revision', request.revision, authorKey);
    checkWrapSignature('wrap', request.wrap, authorKey);
    const created = await this.unique(
      () =>
        this.cases.createCase(
          manager,
          embassy,
          {
            id: lower(request.id),
            status: INITIAL_CASE_STATUS,
            riskLevel: request.riskLevel,
            threatTypes: request.threatTypes,
            defenderGroups: request.defenderGroups,
            countryOfActivity: request.countryOfActivity,
            nextReviewAt: request.nextReviewAt === undefined || request.nextReviewAt === null ? null : new Date(request.nextReviewAt),
            consentToTransfer: request.consentToTransfer,
            consentToRefugeSharing: request.consentToRefugeSharing,
            keyId: lower(request.wrap.keyId),
            envelopes: request.revision.envelopes.map((entry) => ({ field: entry.field, envelope: entry.envelope })),
            authorId: actor.userId,
            signature: request.revision.signature,
            wrap: request.wrap,
            blindIndexes: request.blindIndexes,
            now: this.clock.now(),
          },
          actor,
        ),
      'A case with this id or this key id already exists',
    );
    if (created === undefined) {
      // Nothing written: the wrap's generation is not (or no longer) current. Say which is.
      await this.keyring.assertCurrentGeneration(manager, embassy, request.wrap.generation);
      throw new Error('case creation wrote nothing although its generation is current');
    }
    return toCaseSummaryResponse(created);
  }

  async list(actor: Actor, query: ListCasesQuery): Promise<CasePage> {
    const embassy = ownEmbassy(actor);
    const limit = query.limit ?? PAGE_LIMIT_DEFAULT;
    const rows = await this.cases.listCases(
      this.database.manager,
      embassy,
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
    return pageOf(rows, limit, toCaseSummaryResponse, timeCursorOf);
  }

  /** The case with its sealed content, the caller's wrap and the author's key; audited in the same statement. */
  async get(actor: Actor, id: string): Promise<CaseResponse> {
    const embassy = ownEmbassy(actor);
    const row = await this.cases.readSealedCase(this.database.manager, embassy, lower(id), actor);
    if (row === undefined) throw new NotFoundProblem('case');
    return toCaseResponse(row);
  }

  /**
   * The clear summary of the embassy's case with this reference: what a person typed
   * (KE-2026-0042) becomes the case id every other route takes. Clear fields only, like
   * the list, so not audited; another embassy's reference is "no such case" (404).
   */
  async findByReference(actor: Actor, reference: string): Promise<CaseSummaryResponse> {
    const embassy = ownEmbassy(actor);
    const row = await this.cases.findCaseByReference(this.database.manager, embassy, reference);
    if (row === undefined) throw new NotFoundProblem('case');
    return toCaseSummaryResponse(row);
  }

  async update(actor: Actor, id: string, request: UpdateCaseRequest): Promise<CaseSummaryResponse> {
    const embassy = ownEmbassy(actor);
    const caseId = lower(id);
    if (request.blindIndexes !== undefined) checkBlindIndexes('blindIndexes', request.blindIndexes);
    return this.database.transaction(async (manager) => {
      const current = await this.cases.findCase(manager, embassy, caseId);
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
        checkRevisionStructure(revision, { at: 'revision', type: CASE_RECORD, recordId: caseId, authorUserId: actor.userId, keyId: current.key_id });
        if (revision.version !== current.revision + 1) {
          throw new ProblemException('conflict', `The sealed content is at revision ${current.revision}; sign revision ${current.revision + 1}`, {
            reason: 'stale-revision',
            currentVersion: current.version,
            currentRevision: current.revision,
          });
        }
        checkRevisionSignature('revision', revision, await this.keyring.memberSignKey(manager, embassy, actor.userId));
        changes.sealed = {
          revision: revision.version,
          envelopes: revision.envelopes.map((entry) => ({ field: entry.field, envelope: entry.envelope })),
          authorId: actor.userId,
          signature: revision.signature,
        };
      }
      const updated = await this.cases.updateCase(manager, embassy, caseId, request.version, changes, this.clock.now());
      if (updated === undefined) {
        // Another change committed since we read the case: say which version is current now.
        const now = await this.cases.findCase(manager, embassy, caseId);
        if (now === undefined) throw new NotFoundProblem('case');
        assertNotShredded(toState(now));
        throw new VersionConflictProblem('case', now.version, request.version);
      }
      if (request.blindIndexes !== undefined) await this.cases.replaceBlindIndexes(manager, embassy, caseId, request.blindIndexes);
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
    const embassy = ownEmbassy(actor);
    return this.database.transaction(async (manager) => {
      const current = await this.lockOwnCase(manager, embassy, id);
      assertNotShredded(toState(current));
      assertCurrentVersion(toState(current), request.version);
      assertTransition(toState(current), request.to);
      const now = this.clock.now();
      const updated = await this.cases.setStatus(manager, embassy, current.id, request.to, now);
      await this.cases.insertEvent(manager, embassy, {
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
    const embassy = ownEmbassy(actor);
    return this.database.transaction(async (manager) => {
      const current = await this.lockOwnCase(manager, embassy, id);
      assertNotShredded(toState(current));
      assertCurrentVersion(toState(current), request.version);
      const assigneeId = request.assigneeId === null ? null : lower(request.assigneeId);
      // Another embassy's user, a disabled one, an NGO member: all "not an active contact here".
      if (assigneeId !== null && !(await this.cases.isActiveContact(manager, embassy, assigneeId))) {
        throw fieldProblem('assigneeId', 'must be an active contact of the case’s embassy');
      }
      const updated = await this.cases.setAssignee(manager, embassy, current.id, assigneeId, this.clock.now());
      await this.record(manager, actor, 'case.assigned', updated, { assigneeId, previousAssigneeId: current.assigned_to_id });
      return toCaseSummaryResponse(updated);
    });
  }

  /** A member event: one sealed body under the case key, signed as revision 1 of the event. */
  async appendEvent(actor: Actor, caseId: string, request: AppendCaseEventRequest, idempotencyKey: string | undefined): Promise<CaseEventCreatedResponse> {
    const embassy = ownEmbassy(actor);
    const id = lower(caseId);
    const eventId = lower(request.id);
    const operation =
      idempotencyKey === undefined ? undefined : { actorId: actor.userId, operation: `case.event:${id}`, key: idempotencyKey, request };
    return this.database.transaction((manager) =>
      this.idempotency.run(manager, operation, 201, async () => {
        // A share lock: events may be appended side by side, but not while the case is shredded or moved.
        const current = await this.lockOwnCase(manager, embassy, id, 'share');
        assertNotShredded(toState(current));
        checkRevisionStructure(request.revision, {
          at: 'revision',
          type: CASE_EVENT_RECORD,
          recordId: eventId,
          authorUserId: actor.userId,
          keyId: current.key_id,
        });
        if (request.revision.version !== 1) throw fieldProblem('revision.version', 'must be 1 for a new event');
        checkRevisionSignature('revision', request.revision, await this.keyring.memberSignKey(manager, embassy, actor.userId));
        const inserted = await this.unique(
          () =>
            this.cases.insertEvent(manager, embassy, {
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
    const embassy = ownEmbassy(actor);
    const limit = query.limit ?? PAGE_LIMIT_DEFAULT;
    const timeline = await this.cases.readTimeline(this.database.manager, embassy, lower(caseId), actor, decodeTimeCursor(query.cursor), limit + 1);
    if (timeline === undefined) throw new NotFoundProblem('case');
    const page = pageOf(timeline.events, limit, toCaseEventResponse, timeCursorOf);
    return { ...page, keyId: timeline.keyId, caseShreddedAt: timeline.shreddedAt === null ? null : timeline.shreddedAt.toISOString() };
  }

  /** Candidate duplicates within the caller's embassy only; the client decrypts them to confirm. */
  async findDuplicates(actor: Actor, request: DuplicateSearchRequest): Promise<DuplicateCandidatesResponse> {
    const embassy = ownEmbassy(actor);
    return this.database.transaction(async (manager) => {
      const rows = await this.cases.findDuplicates(manager, embassy, request.fieldId, [...new Set(request.values)], MAX_DUPLICATE_CANDIDATES);
      await this.audit.record(manager, {
        action: 'case.duplicates-searched',
        outcome: 'SUCCESS',
        requestId: actor.requestId,
        actor: { userId: actor.userId, role: actor.role },
        target: null,
        scope: { type: 'EMBASSY', id: embassy },
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
    const embassy = ownEmbassy(actor);
    const targetId = lower(request.targetEmbassyId);
    return this.database.transaction(async (manager) => {
      const current = await this.lockOwnCase(manager, embassy, id);
      assertNotShredded(toState(current));
      assertCurrentVersion(toState(current), request.version);
      if (targetId === embassy) throw fieldProblem('targetEmbassyId', 'is already the case’s embassy');
      const basis = transferBasis(toState(current), request.overrideReason);
      // An organisation's or the network's id is no embassy: "not found", like a missing one.
      const receiving = await this.keyring.receivingScope(manager, targetId, 'EMBASSY', 'receiving embassy team key');
      const target = receiving.scope as EmbassyId;
      const record = { entity: CASE_ENTITY, recordId: current.id };
      this.keyring.checkWrap('wrap', request.wrap, { ...record, keyId: current.key_id, scope: target, writerUserId: actor.userId });
      // The caller signs both the re-sealed key (for this case) and the act itself, which the audit trail keeps.
      const actorKey = await this.keyring.memberSignKey(manager, embassy, actor.userId);
      const signed: RecordAction = {
        action: 'transfer',
        entity: CASE_ENTITY,
        recordId: current.id,
        version: request.version,
        actorUserId: actor.userId,
        confirmation: transferConfirmation(current.reference, target),
      };
      checkRecordActionSignature('signature', signed, request.signature, actorKey);
      await this.keyring.moveWraps(manager, embassy, record, receiving, actorKey, { at: 'wrap', wrap: request.wrap });
      const now = this.clock.now();
      const reference = await this.cases.allocateReference(manager, target, now.getUTCFullYear());
      const moved = await this.cases.moveCase(manager, embassy, { id: current.id, to: target, reference, now });
      const override = basis.kind === 'override';
      await this.cases.insertEvent(manager, target, {
        id: randomUUID(),
        caseId: current.id,
        type: 'TRANSFER',
        body: null,
        authorId: actor.userId,
        signature: null,
        details: {
          fromEmbassyId: embassy,
          toEmbassyId: target,
          previousReference: current.reference,
          reference,
          basis: basis.kind,
          overrideReason: basis.kind === 'override' ? basis.reason : null,
        },
        now,
      });
      const details = {
        fromEmbassyId: embassy,
        toEmbassyId: target,
        previousReference: current.reference,
        reference,
        basis: basis.kind,
        ...signedActionDetails(signed, request.signature),
      };
      await this.record(manager, actor, 'case.transferred', { ...current, embassy_id: embassy }, details);
      if (basis.kind === 'override') {
        await this.record(manager, actor, 'case.transfer-override', { ...current, embassy_id: embassy }, { ...details, overrideReason: basis.reason });
      }
      return { id: moved.id, fromEmbassyId: embassy, toEmbassyId: target, reference, override, transferredAt: now.toISOString() };
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
    const embassy = ownEmbassy(actor);
    return this.database.transaction(async (manager) => {
      const current = await this.lockOwnCase(manager, embassy, id);
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
      checkRecordActionSignature('signature', signed, request.signature, await this.keyring.memberSignKey(manager, embassy, actor.userId));
      const wraps = await this.keyring.shredWraps(manager, embassy, { entity: CASE_ENTITY, recordId: current.id });
      const shredded = await this.cases.shredCase(manager, embassy, current.id, this.clock.now());
      await this.record(manager, actor, 'case.shredded', shredded.row, {
        wrapsDeleted: wraps,
        eventBodiesErased: shredded.events,
        ...signedActionDetails(signed, request.signature),
      });
      return toCaseSummaryResponse(shredded.row);
    });
  }

  private async lockOwnCase(manager: EntityManager, embassy: EmbassyId, id: string, mode: 'update' | 'share' = 'update'): Promise<CaseRow> {
    const current = await this.cases.lockCase(manager, embassy, lower(id), mode);
    if (current === undefined) throw new NotFoundProblem('case');
    return current;
  }

  private async unique<T>(insert: () => Promise<T>, conflict: string): Promise<T> {
    try {
      return await insert();
    } catch (error) {
      // The only unique values a client chooses are the new record's id and its key id:
      // every other unique column of these statements is written with ON CONFLICT.
      if (isUniqueViolation(error)) {
        throw new ProblemException('conflict', conflict, { reason: 'already-exists' });
      }
      throw error;
    }
  }

  private async record(
    manager: EntityManager,
    actor: Actor,
    action: CaseAuditAction,
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
