/**
 * Defender cases on the client, built on the sealed-record kit (sealed-records/): a case
 * is a SealedRecordType — entity and compartment `case`, seven sealed fields of which
 * `identity` is required, sealed to its embassy's current team key, its names and
 * passport numbers blind-indexed — and a timeline event a revision sealed under the
 * case's key. Creating a case seals each field (docs/protocol.md §5.1), signs the
 * revision (§5.8), wraps the key to the embassy's current team key and signs the wrap for
 * this case (§5.5, §5.13), computes the blind indexes (§5.9), and re-wraps and re-indexes
 * once if the embassy rotated meanwhile (stale-generation); opening one checks the case is
 * not older than this device has seen, checks the wrap is this case's and verifies its
 * writer's signature, unwraps the key, checks the revision is this case's, verifies the
 * author's signature and only then opens the fields — every signature under a key the
 * device's trust store decided on (trusted-keys.ts), never under the key the server serves
 * alone. Transfer re-wraps the key to the receiving embassy's team key, accepted only when
 * pinned or confirmed by the fingerprint the user checked out of band, and signs both the
 * wrap and the transfer; shred signs the erase of the version it read.
 *
 * This module owns what is a case's own: its content and clear fields, the case routes'
 * requests, CaseShreddedError and CaseIntegrityError. It must never send a plaintext, a
 * data key or a team key, and never return content whose signature or associated data
 * failed: it throws CaseIntegrityError, KeyChangedError, UnverifiedAuthorError or
 * RollbackError, or CaseShreddedError when there is nothing left to open.
 */
import type { CaseStatus } from '../contract/case-vocabulary';
import {
  CASE_ENTITY,
  CASE_EVENT_ENTITY,
  CASE_EVENT_SEALED_FIELD,
  MAX_BLIND_INDEXES,
  type BlindIndexField,
  type CaseSealedField,
  type DefenderGroup,
  type MemberEventType,
  type RiskLevel,
  type ThreatType,
  shredConfirmation,
  transferConfirmation,
  type TransferOverrideReason,
} from '../contract/case-vocabulary';
import type { CaseBlindIndexDto as BlindIndexDto } from '../cases/dto/case-blind-index.dto';
import type {
  CaseEventCreatedResponse,
  CaseEventResponse,
  CasePage,
  CaseResponse,
  CaseSummaryResponse,
  CaseTransferredResponse,
  DuplicateCandidateResponse,
  SignerResponse,
} from '../cases/dto/case.response';
import type { CreateCaseRequest } from '../cases/dto/create-case.dto';
import type { ListCaseEventsQuery } from '../cases/dto/list-case-events.dto';
import type { ListCasesQuery } from '../cases/dto/list-cases.dto';
import type { UpdateCaseRequest } from '../cases/dto/update-case.dto';
import type { StoredDataKeyWrap } from '../crypto/data-key-wrap-payload';
import { readyCrypto } from '../crypto/protocol-hash';
import type { JsonValue } from './crypto/field-envelopes';
import { randomUuid } from './crypto/random-source';
import type { TeamKeys } from './crypto/team-keys';
import type { CasesApi } from './cases-api';
import type { KeysApi } from './keys-api';
import {
  authorOf,
  blindIndexProbe,
  forgetDataKey,
  openRecord,
  openRecordKey,
  openRevisionUnderKey,
  OtherScope,
  OwnScope,
  recordBlindIndexes,
  RecordIntegrityError,
  retryOnStaleGeneration,
  sealNewRecord,
  sealNextRevision,
  sealRevisionUnderKey,
  sendNewRecord,
  signRecordActionAs,
  verifyRecordWrap,
  wrapDataKey,
  wrapRecordCheck,
  type BlindIndexRule,
  type OpenedRecordKey,
  type SealedFieldRule,
  type SealedNewRecord,
  type SealedRecordType,
  type SealedRevisionType,
  type ServedRecord,
  type SignedRevisionBody,
} from './sealed-records';
import type { KeyHolderSession, MyTeamKeys, WrapRecordCheck } from './team-keys-flow';

/** What the case flows need of a signed-in session (EgideSession has it). */
export interface CaseSession extends KeyHolderSession {
  readonly cases: CasesApi;
  readonly keysApi: KeysApi;
}

/** Who the defender is. Sealed as the `identity` field; `fullName` and `passportNumbers` are also blind-indexed. */
export interface DefenderIdentity {
  fullName: string;
  aliases?: string[];
  birthDate?: string;
  gender?: string;
  nationality?: string;
  passportNumbers?: string[];
}

/** Everything sealed about a case. Only `identity` is required. */
export interface CaseContent {
  identity: DefenderIdentity;
  contacts?: JsonValue;
  location?: JsonValue;
  narrative?: string;
  protectionMeasures?: JsonValue;
  family?: JsonValue;
  notes?: string;
}

/** The clear fields of a new case (docs/cases.md says why these are clear). */
export interface CaseClearFields {
  riskLevel: RiskLevel;
  threatTypes: ThreatType[];
  defenderGroups: DefenderGroup[];
  /** ISO 3166-1 alpha-2, upper case. */
  countryOfActivity: string;
  nextReviewAt?: string | null;
  consentToTransfer: boolean;
  consentToRefugeSharing: boolean;
}

export interface NewCase extends CaseClearFields {
  content: CaseContent;
  /** Defaults to a fresh UUID v4. */
  id?: string;
}

/** A case as its embassy's member reads it after verification and decryption. */
export interface OpenedCase extends CaseSummaryResponse {
  content: CaseContent;
  /** The author of the current revision, as verified. */
  author: SignerResponse;
}

export interface OpenedCaseEvent {
  id: string;
  caseId: string;
  type: CaseEventResponse['type'];
  createdAt: string;
  author: SignerResponse;
  /** The opened body of a member event; null for server events (status change, transfer). */
  body: JsonValue | null;
  details: CaseEventResponse['details'];
}

export interface CaseUpdate {
  /** The case version this change is based on (a stale one answers 409). */
  version: number;
  riskLevel?: RiskLevel;
  threatTypes?: ThreatType[];
  defenderGroups?: DefenderGroup[];
  countryOfActivity?: string;
  nextReviewAt?: string | null;
  consentToTransfer?: boolean;
  consentToRefugeSharing?: boolean;
  /** Sealed fields to change; `null` removes an optional field. Unnamed fields keep their envelope. */
  content?: { [K in keyof CaseContent]?: CaseContent[K] | null };
}

export interface CaseTransfer {
  targetEmbassyId: string;
  /**
   * The receiving embassy's team fingerprint, as one of its members read it out of band:
   * the key is sealed only to a team key that derives this fingerprint. May be left out
   * when this device already pinned that embassy's current team key (an earlier transfer).
   */
  expectedTeamFingerprint?: string;
  /** Required when the defender has not consented to a transfer; audited as an override. */
  overrideReason?: TransferOverrideReason;
  /** The version the transfer is based on; defaults to the version just read. */
  version?: number;
}

export interface CaseFlowOptions {
  /** Team keys already opened in this session (saves a round trip and the grant opening). */
  teamKeys?: MyTeamKeys;
}

export interface IdempotentOptions extends CaseFlowOptions {
  /** Defaults to a fresh random key; a network failure is retried once with the same key and body. */
  idempotencyKey?: string;
}

/** The case was shredded: its sealed content is gone for everyone. */
export class CaseShreddedError extends Error {
  constructor(
    readonly caseId: string,
    readonly reference: string,
    readonly shreddedAt: string,
  ) {
    super(`case ${reference} was shredded on ${shreddedAt}: its sealed content no longer exists and cannot be opened`);
    this.name = 'CaseShreddedError';
  }
}

/**
 * What the server returned for a case does not verify or does not open: do not trust any
 * of it. The kit's RecordIntegrityError, named for the case (a timeline event's refusal
 * too: the event is part of its case).
 */
export class CaseIntegrityError extends RecordIntegrityError {
  constructor(
    readonly caseId: string,
    /** The protocol error code (`bad_signature`, `tampered`, `wrong_key`, …) or `mismatch`. */
    reason: string,
    detail: string,
  ) {
    super(CASE_ENTITY, caseId, reason, detail);
    this.name = 'CaseIntegrityError';
  }
}

export { TeamFingerprintMismatchError } from './trusted-keys';

/** One sealed field of a case: its name is one of the case's sealed fields (case-vocabulary.ts). */
function caseField(field: CaseSealedField, rule: Omit<SealedFieldRule, 'field'> = { required: false }): SealedFieldRule {
  return { field, ...rule };
}

/** What a reader accepts as `identity` (§5.15): any object whose `fullName` is a string, unknown members kept. */
function isDefenderIdentity(value: JsonValue): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof value.fullName === 'string';
}

/** What a case blind-indexes (docs/protocol.md §5.9): the full name, then each alias, then each passport number. */
const CASE_BLIND_INDEXES: BlindIndexRule<CaseContent, BlindIndexField> = {
  sources: ['identity'],
  values: ({ identity }) => [
    { fieldId: 'name', value: identity.fullName, kind: 'text' },
    ...(identity.aliases ?? []).map((alias) => ({ fieldId: 'name' as const, value: alias, kind: 'text' as const })),
    ...(identity.passportNumbers ?? []).map((passport) => ({ fieldId: 'passport' as const, value: passport, kind: 'passport' as const })),
  ],
  max: MAX_BLIND_INDEXES,
  tooMany: `a case carries at most ${MAX_BLIND_INDEXES} names and passport numbers to index`,
};

/** A defender case as the kit seals and opens it (docs/cases.md). Content property → sealed field name. */
export const CASE_RECORD: SealedRecordType<CaseContent, BlindIndexField> = {
  entity: CASE_ENTITY,
  compartment: 'case',
  fields: {
    identity: caseField('identity', { required: true, accepts: isDefenderIdentity, expected: 'a defender identity' }),
    contacts: caseField('contacts'),
    location: caseField('location'),
    narrative: caseField('narrative'),
    protectionMeasures: caseField('protection_measures'),
    family: caseField('family'),
    notes: caseField('notes'),
  },
  blindIndexes: CASE_BLIND_INDEXES,
};

/** What a timeline event seals. */
export interface CaseEventContent {
  body: JsonValue;
}

/** A timeline event: a record of its own (entity `case_event`, the event's id), sealed under its case's data key. */
export const CASE_EVENT_REVISION: SealedRevisionType<CaseEventContent> = {
  entity: CASE_EVENT_ENTITY,
  fields: { body: { field: CASE_EVENT_SEALED_FIELD, required: true } },
};

/** Blind indexes of the full name, aliases and passport numbers under the team's key. */
export function caseBlindIndexes(identity: DefenderIdentity, team: TeamKeys): BlindIndexDto[] {
  return recordBlindIndexes(CASE_BLIND_INDEXES, { identity }, team);
}

/** The kit's refusal, reported as this case's. */
function asCaseError(caseId: string, error: unknown, prefix = ''): unknown {
  if (error instanceof RecordIntegrityError && !(error instanceof CaseIntegrityError)) {
    return new CaseIntegrityError(caseId.toLowerCase(), error.reason, `${prefix}${error.detail}`);
  }
  return error;
}

/** Runs a kit step, reporting its refusals as this case's (CaseIntegrityError). */
async function forCase<T>(caseId: string, step: () => Promise<T>, prefix = ''): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw asCaseError(caseId, error, prefix);
  }
}

function forCaseNow<T>(caseId: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    throw asCaseError(caseId, error);
  }
}

/** My embassy's team keys: the caller's, when it opened them in this session, else opened here. */
async function ownEmbassy(session: CaseSession, options: CaseFlowOptions): Promise<OwnScope> {
  await readyCrypto();
  return OwnScope.open(session, options.teamKeys);
}

/** A network failure (no HTTP answer) is worth one retry with the same key and body; an HTTP error is not. */
async function withOneRetry<T>(send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    if (error instanceof TypeError) return send();
    throw error;
  }
}

type SealedCaseResponse = CaseResponse & { sealed: NonNullable<CaseResponse['sealed']> };

/** What the kit checks of a case response: every part a claim of the server's. */
function servedCase(caseId: string, response: SealedCaseResponse): ServedRecord {
  const { sealed } = response;
  return {
    recordId: caseId,
    keyId: response.keyId,
    revision: sealed.revision,
    author: sealed.author,
    wraps: sealed.wrap === null ? [] : [{ wrap: sealed.wrap, writer: sealed.wrapWriter }],
    revisionNumber: response.revision,
    version: response.version,
  };
}

/** Fetches the case: the one asked for (CaseIntegrityError otherwise), with sealed content (CaseShreddedError otherwise). */
async function fetchSealedCase(session: CaseSession, caseId: string): Promise<SealedCaseResponse> {
  const response = await session.cases.get(caseId);
  const id = caseId.toLowerCase();
  if (response.id.toLowerCase() !== id) throw new CaseIntegrityError(id, 'mismatch', 'the server answered with another case');
  const sealed = response.sealed;
  if (sealed === null) {
    throw new CaseShreddedError(response.id, response.reference, response.shreddedAt ?? response.updatedAt);
  }
  return { ...response, sealed };
}

/**
 * Fetches the case and opens its data key (openRecordKey), after checking that what came
 * back is this case's, not older than what this device has seen (RollbackError), authored
 * by a member this device trusts (KeyChangedError, UnverifiedAuthorError) and wrapped by
 * one too. The caller erases the key.
 */
async function openCaseKey(session: CaseSession, caseId: string, embassy: OwnScope): Promise<{ response: SealedCaseResponse; key: OpenedRecordKey }> {
  const response = await fetchSealedCase(session, caseId);
  const id = caseId.toLowerCase();
  const key = await forCase(id, () => openRecordKey(session, CASE_RECORD, servedCase(id, response), embassy));
  return { response, key };
}

/** The case's key through the caller's own team keys, released as soon as the key is open. */
async function openOwnCaseKey(session: CaseSession, caseId: string, options: CaseFlowOptions): Promise<{ response: SealedCaseResponse; key: OpenedRecordKey }> {
  const embassy = await ownEmbassy(session, options);
  try {
    return await openCaseKey(session, caseId, embassy);
  } finally {
    embassy.release();
  }
}

/**
 * The one place a case's key wrap is checked before it is opened (the kit's
 * verifyRecordWrap): it must name this case and carry its writer's signature, verified
 * against the writer's key as this device trusts it, never the served one alone. A wrap
 * written before protocol 2 is refused (`unsigned_wrap`) until a member re-signs it.
 */
export async function verifyCaseWrap(session: CaseSession, caseId: string, wrap: StoredDataKeyWrap, writer: SignerResponse | null): Promise<void> {
  await forCase(caseId, () => verifyRecordWrap(session, CASE_ENTITY, caseId, { wrap, writer }));
}

function summaryOf(response: CaseResponse): CaseSummaryResponse {
  const { sealed: _sealed, ...summary } = response;
  return summary;
}

/** The request that creates `input`, sealed. */
function createRequest(input: NewCase, sealed: SealedNewRecord<BlindIndexField>): CreateCaseRequest {
  return {
    id: sealed.recordId,
    riskLevel: input.riskLevel,
    threatTypes: input.threatTypes,
    defenderGroups: input.defenderGroups,
    countryOfActivity: input.countryOfActivity,
    nextReviewAt: input.nextReviewAt ?? null,
    consentToTransfer: input.consentToTransfer,
    consentToRefugeSharing: input.consentToRefugeSharing,
    revision: sealed.revision,
    // A case is sealed to one scope, its embassy.
    wrap: sealed.wraps[0],
    blindIndexes: sealed.blindIndexes,
  };
}

/** Seals a new case into the request the server takes (exposed for callers that retry on their own). */
export async function sealNewCase(session: CaseSession, input: NewCase, options: CaseFlowOptions = {}): Promise<CreateCaseRequest> {
  const embassy = await ownEmbassy(session, options);
  try {
    const { sealed, dataKey } = sealNewRecord(authorOf(session), CASE_RECORD, {
      recordId: input.id,
      content: input.content,
      readers: [embassy.current],
      indexWith: embassy.current,
    });
    forgetDataKey(dataKey);
    return createRequest(input, sealed);
  } finally {
    embassy.release();
  }
}

/**
 * Creates a case: seals, signs, wraps to the embassy's current team key, indexes; if the
 * embassy rotated meanwhile (409 stale-generation), re-wraps and re-indexes under the new
 * generation and sends once more. Idempotent.
 */
export async function createCase(session: CaseSession, input: NewCase, options: IdempotentOptions = {}): Promise<CaseSummaryResponse> {
  const embassy = await ownEmbassy(session, options);
  // One key for the intent: a stale-generation answer stored nothing under it.
  const idempotencyKey = options.idempotencyKey ?? `case-${randomUuid()}`;
  try {
    return await sendNewRecord(authorOf(session), CASE_RECORD, { recordId: input.id, content: input.content, readers: [embassy], indexedBy: embassy }, (sealed) =>
      withOneRetry(() => session.cases.create(createRequest(input, sealed), { idempotencyKey })),
    );
  } finally {
    embassy.release();
  }
}

/** Opens a case: unwraps its key, verifies the author's signature, opens every field. */
export async function getCase(session: CaseSession, caseId: string, options: CaseFlowOptions = {}): Promise<OpenedCase> {
  const embassy = await ownEmbassy(session, options);
  try {
    const response = await fetchSealedCase(session, caseId);
    const id = caseId.toLowerCase();
    // Marked in memory (openRecord); written by session.saveTrust() (the CLI after every
    // command), not once per read: re-indexing an embassy opens every case.
    const opened = await forCase(id, () => openRecord(session, CASE_RECORD, servedCase(id, response), embassy));
    return { ...summaryOf(response), content: opened.content, author: response.sealed.author };
  } finally {
    embassy.release();
  }
}

/** A page of my embassy's cases (clear fields only: nothing to open). */
export function listCases(session: CaseSession, query: ListCasesQuery = {}): Promise<CasePage> {
  return session.cases.list(query);
}

/**
 * Changes clear fields and/or sealed content. Sealed changes re-seal only the named
 * fields (fresh nonces, same data key), keep the others' envelopes, and sign the whole
 * list as revision n+1; a changed identity re-computes the blind indexes.
 */
export async function updateCase(session: CaseSession, caseId: string, update: CaseUpdate, options: CaseFlowOptions = {}): Promise<CaseSummaryResponse> {
  const request: UpdateCaseRequest = {
    version: update.version,
    riskLevel: update.riskLevel,
    threatTypes: update.threatTypes,
    defenderGroups: update.defenderGroups,
    countryOfActivity: update.countryOfActivity,
    nextReviewAt: update.nextReviewAt,
    consentToTransfer: update.consentToTransfer,
    consentToRefugeSharing: update.consentToRefugeSharing,
  };
  const content = update.content;
  if (content !== undefined && Object.keys(content).length > 0) {
    const embassy = await ownEmbassy(session, options);
    try {
      const { response, key } = await openCaseKey(session, caseId, embassy);
      try {
        const next = forCaseNow(response.id, () => sealNextRevision(authorOf(session), CASE_RECORD, key, content, embassy.current));
        request.revision = next.revision;
        if (next.blindIndexes !== undefined) request.blindIndexes = next.blindIndexes;
      } finally {
        forgetDataKey(key.dataKey);
      }
    } finally {
      embassy.release();
    }
  }
  return session.cases.update(caseId, request);
}

/** Recomputes the case's blind indexes under my embassy's current key (after a transfer or a rotation). */
export async function reindexCase(session: CaseSession, caseId: string, options: CaseFlowOptions = {}): Promise<CaseSummaryResponse> {
  const embassy = await ownEmbassy(session, options);
  try {
    const opened = await getCase(session, caseId, { ...options, teamKeys: embassy.teamKeys });
    return await session.cases.update(caseId, { version: opened.version, blindIndexes: caseBlindIndexes(opened.content.identity, embassy.current) });
  } finally {
    embassy.release();
  }
}

/**
 * After a team rotation, every case's blind indexes are recomputed under the new
 * generation's blind-index key (docs/protocol.md §8: rotation recomputes blind indexes);
 * until then, duplicate searches made with the new key miss older cases. Shredded
 * cases have no indexes and are skipped. Returns how many cases were re-indexed.
 */
export async function reindexEmbassyCases(
  session: CaseSession,
  onProgress: (done: number) => void = () => undefined,
  options: CaseFlowOptions = {},
): Promise<number> {
  const embassy = await ownEmbassy(session, options);
  try {
    let done = 0;
    let cursor: string | undefined;
    do {
      const page = await listCases(session, { limit: 200, ...(cursor === undefined ? {} : { cursor }) });
      for (const summary of page.items) {
        if (summary.shreddedAt !== null) continue;
        await reindexCase(session, summary.id, { ...options, teamKeys: embassy.teamKeys });
        done += 1;
        onProgress(done);
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return done;
  } finally {
    embassy.release();
  }
}

export function setCaseStatus(session: CaseSession, caseId: string, to: CaseStatus, version: number): Promise<CaseSummaryResponse> {
  return session.cases.changeStatus(caseId, { to, version });
}

export function assignCase(session: CaseSession, caseId: string, assigneeId: string | null, version: number): Promise<CaseSummaryResponse> {
  return session.cases.assign(caseId, { assigneeId, version });
}

/** Appends a timeline event whose body is sealed under the case key and signed; idempotent. */
export async function addCaseEvent(
  session: CaseSession,
  caseId: string,
  event: { type: MemberEventType; body: JsonValue; id?: string },
  options: IdempotentOptions = {},
): Promise<CaseEventCreatedResponse> {
  const { response, key } = await openOwnCaseKey(session, caseId, options);
  const id = (event.id ?? randomUuid()).toLowerCase();
  let revision: SignedRevisionBody;
  try {
    revision = sealRevisionUnderKey(authorOf(session), CASE_EVENT_REVISION, { recordId: id, version: 1, content: { body: event.body } }, key.dataKey);
  } finally {
    forgetDataKey(key.dataKey);
  }
  const idempotencyKey = options.idempotencyKey ?? `event-${randomUuid()}`;
  return withOneRetry(() => session.cases.appendEvent(response.id, { id, type: event.type, revision }, { idempotencyKey }));
}

/** A page of the timeline, every member event verified and opened (oldest first). */
export async function listCaseEvents(
  session: CaseSession,
  caseId: string,
  query: ListCaseEventsQuery = {},
  options: CaseFlowOptions = {},
): Promise<{ items: OpenedCaseEvent[]; nextCursor: string | null }> {
  const page = await session.cases.listEvents(caseId, query);
  if (page.caseShreddedAt !== null) {
    const summary = await session.cases.get(caseId);
    throw new CaseShreddedError(summary.id, summary.reference, page.caseShreddedAt);
  }
  const { response, key } = await openOwnCaseKey(session, caseId, options);
  try {
    if (page.keyId.toLowerCase() !== key.dataKey.keyId) throw new CaseIntegrityError(response.id, 'mismatch', 'the timeline names another key');
    const items: OpenedCaseEvent[] = [];
    for (const event of page.items) {
      let body: JsonValue | null = null;
      const revision = event.revision;
      if (revision !== null) {
        const served = { recordId: event.id, revision, author: event.author };
        body = (await forCase(response.id, () => openRevisionUnderKey(session, CASE_EVENT_REVISION, served, key.dataKey), `event ${event.id}: `)).content.body;
      }
      items.push({ id: event.id, caseId: event.caseId, type: event.type, createdAt: event.createdAt, author: event.author, body, details: event.details });
    }
    return { items, nextCursor: page.nextCursor };
  } finally {
    forgetDataKey(key.dataKey);
  }
}

/**
 * Candidate duplicates of a name or a passport number among my embassy's cases (by blind
 * index under the current team key). Candidates are "maybe": open them to compare.
 */
export async function findDuplicates(
  session: CaseSession,
  probe: { name: string } | { passport: string },
  options: CaseFlowOptions = {},
): Promise<DuplicateCandidateResponse[]> {
  const embassy = await ownEmbassy(session, options);
  try {
    const [fieldId, value, kind] = 'name' in probe ? (['name', probe.name, 'text'] as const) : (['passport', probe.passport, 'passport'] as const);
    const index = blindIndexProbe(fieldId, kind, value, embassy.current);
    if (index === undefined) return [];
    return (await session.cases.findDuplicates({ fieldId, values: [index] })).candidates;
  } finally {
    embassy.release();
  }
}

/**
 * Transfers the case to another embassy: its data key is re-sealed to that embassy's
 * current team key, accepted only if it derives the fingerprint the user confirmed (or is
 * pinned), and signed for this case; the transfer itself ("TRANSFER <reference> TO
 * <embassy>", on the version it is based on) is signed too, for the audit trail. If the
 * receiving embassy rotated meanwhile (409 stale-generation), its new key is accepted
 * only if pinned — a confirmed fingerprint names one generation — and the key re-sealed
 * and sent once more. My embassy loses access at once; the receiver should reindex.
 */
export async function transferCase(session: CaseSession, caseId: string, transfer: CaseTransfer, options: CaseFlowOptions = {}): Promise<CaseTransferredResponse> {
  const target = transfer.targetEmbassyId.toLowerCase();
  const receiving = await OtherScope.accept(session, target, transfer.expectedTeamFingerprint);
  const { response, key } = await openOwnCaseKey(session, caseId, options);
  try {
    const author = authorOf(session);
    const version = transfer.version ?? response.version;
    const signature = signRecordActionAs(author, {
      action: 'transfer',
      entity: CASE_ENTITY,
      recordId: response.id,
      version,
      confirmation: transferConfirmation(response.reference, target),
    });
    return await retryOnStaleGeneration([receiving], () =>
      session.cases.transfer(response.id, {
        version,
        targetEmbassyId: target,
        wrap: wrapDataKey(author, CASE_ENTITY, response.id, key.dataKey, receiving.current),
        signature,
        overrideReason: transfer.overrideReason,
      }),
    );
  } finally {
    forgetDataKey(key.dataKey);
  }
}

/**
 * Emergency erase, irreversible. `reference` is what the user typed to confirm, e.g.
 * KE-2026-0042. The erase is signed ("SHRED <reference>") on the case's current version:
 * `options.version` when the caller has just read it, else read here. A stale version
 * answers 409 (stale-version): read again and confirm again.
 */
export async function shredCase(
  session: CaseSession,
  caseId: string,
  reference: string,
  options: { version?: number } = {},
): Promise<CaseSummaryResponse> {
  await readyCrypto();
  const id = caseId.toLowerCase();
  const version = options.version ?? (await session.cases.get(id)).version;
  const confirm = shredConfirmation(reference);
  const signature = signRecordActionAs(authorOf(session), { action: 'shred', entity: CASE_ENTITY, recordId: id, version, confirmation: confirm });
  return session.cases.shred(id, { confirm, version, signature });
}

/**
 * The record check for a case's wrap that carries no trusted signature (written before
 * protocol 2, or by a writer nothing vouches for): yes only when the case it names is
 * this data key's, and its current revision verifies against an author this device
 * trusts and opens under the key (the kit's wrapRecordCheck). Used by `resignWraps` and
 * by `rotateTeam`.
 */
export function confirmCaseWrap(session: CaseSession): WrapRecordCheck {
  return wrapRecordCheck(session, CASE_RECORD, async (recordId) => {
    const response = await session.cases.get(recordId);
    const sealed = response.sealed;
    return sealed === null ? null : servedCase(response.id.toLowerCase(), { ...response, sealed });
  });
}

/**
 * My embassy's case with this reference (KE-2026-0042), clear fields only: what a person
 * types, turned into the case id the other flows take. Another embassy's reference
 * answers 404 like a missing one.
 */
export function findCaseByReference(session: CaseSession, reference: string): Promise<CaseSummaryResponse> {
  return session.cases.findByReference(reference);
}
