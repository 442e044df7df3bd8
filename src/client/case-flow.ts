/**
 * Defender cases on the client: everything that needs a key happens here, before a byte
 * leaves the member's machine or after it arrives. Creating a case generates its data
 * key, seals each field (docs/protocol.md §5.1), signs the revision (§5.8), wraps the
 * key to the embassy's current team key (§5.5) and signs the wrap for this case
 * (protocol 2), and computes the blind indexes (§5.9); opening one checks the case is
 * not older than this device has seen, checks the wrap is this case's and verifies its
 * writer's signature (verifyCaseWrap), unwraps the key, checks the revision is this
 * case's, verifies the author's signature and only then opens the fields — every
 * signature under a key the device's trust store decided on (trusted-keys.ts), never
 * under the key the server serves alone. Transfer re-wraps the key to the receiving
 * embassy's team key, accepted only when pinned or confirmed by the fingerprint the user
 * checked out of band, and signs both the wrap and the transfer; shred signs the erase
 * of the version it read.
 *
 * This module must never send a plaintext, a data key or a team key, and never return
 * content whose signature or associated data failed: it throws CaseIntegrityError,
 * KeyChangedError, UnverifiedAuthorError or RollbackError, or CaseShreddedError when
 * there is nothing left to open.
 */
import sodium from 'libsodium-wrappers-sumo';
import type { CaseStatus } from '../cases/case-status';
import {
  CASE_ENTITY,
  CASE_EVENT_ENTITY,
  CASE_EVENT_SEALED_FIELD,
  MAX_BLIND_INDEXES,
  type BlindIndexField,
  type DefenderGroup,
  type MemberEventType,
  type RiskLevel,
  type ThreatType,
  shredConfirmation,
  transferConfirmation,
  type TransferOverrideReason,
} from '../cases/case-vocabulary';
import type { SignedRevisionDto } from '../sealed-records/dto/signed-revision.dto';
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
import type { ListCaseEventsQuery, ListCasesQuery } from '../cases/dto/list-cases.dto';
import type { UpdateCaseRequest } from '../cases/dto/update-case.dto';
import type { StoredDataKeyWrap } from '../crypto/data-key-wrap-payload';
import { normaliseBlindIndexValue } from '../crypto/blind-index-normalisation';
import { MalformedInputError, ProtocolError } from '../crypto/protocol-errors';
import { readyCrypto } from '../crypto/protocol-hash';
import type { SignedRevision } from '../crypto/revision-payload';
import {
  blindIndex,
  generateDataKey,
  openRevision,
  openSealedDataKey,
  randomUuid,
  sealDataKeyToTeam,
  sealField,
  sealRevision,
  signDataKeyWrap,
  signRecordAction,
  signRevision,
  verifyDataKeyWrap,
  type DataKey,
  type JsonValue,
  type TeamKeys,
} from './crypto';
import type { CasesApi } from './cases-api';
import type { KeysApi } from './keys-api';
import { openMyTeamKeys, type KeyHolderSession, type MyTeamKeys, type WrapRecordCheck } from './team-keys-flow';
import { KeyChangedError, UnverifiedAuthorError } from './trust-store';
import { TeamFingerprintMismatchError, trustedSignKeys, trustedTeamKeyOfScope, verifiedUnderAny } from './trusted-keys';

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

/** What the server returned does not verify or does not open: do not trust any of it. */
export class CaseIntegrityError extends Error {
  constructor(
    readonly caseId: string,
    /** The protocol error code (`bad_signature`, `tampered`, `wrong_key`, …) or `mismatch`. */
    readonly reason: string,
    detail: string,
  ) {
    super(`case ${caseId} cannot be trusted: ${detail}`);
    this.name = 'CaseIntegrityError';
  }
}

export { TeamFingerprintMismatchError } from './trusted-keys';

/** Content property → sealed field name (docs/cases.md). */
const SEALED_FIELD_OF: Record<keyof CaseContent, string> = {
  identity: 'identity',
  contacts: 'contacts',
  location: 'location',
  narrative: 'narrative',
  protectionMeasures: 'protection_measures',
  family: 'family',
  notes: 'notes',
};
const CONTENT_KEYS = Object.keys(SEALED_FIELD_OF) as (keyof CaseContent)[];

/** The JSON form of a content value: what JSON.stringify writes (undefined members dropped). */
function toJson(value: unknown): JsonValue {
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}

function contentToFields(content: CaseContent): Record<string, JsonValue> {
  const fields: Record<string, JsonValue> = {};
  for (const key of CONTENT_KEYS) {
    if (content[key] !== undefined) fields[SEALED_FIELD_OF[key]] = toJson(content[key]);
  }
  return fields;
}

function fieldsToContent(caseId: string, fields: Record<string, JsonValue>): CaseContent {
  const identity = fields.identity;
  if (typeof identity !== 'object' || identity === null || Array.isArray(identity) || typeof identity.fullName !== 'string') {
    throw new CaseIntegrityError(caseId, 'malformed', 'the identity field is not a defender identity');
  }
  const content: Record<string, unknown> = {};
  for (const key of CONTENT_KEYS) {
    const value = fields[SEALED_FIELD_OF[key]];
    if (value !== undefined) content[key] = value;
  }
  return content as unknown as CaseContent;
}

/** Blind indexes of the full name, aliases and passport numbers under the team's key. */
export function caseBlindIndexes(identity: DefenderIdentity, team: TeamKeys): BlindIndexDto[] {
  const values: { fieldId: BlindIndexField; value: string; kind: 'text' | 'passport' }[] = [
    { fieldId: 'name', value: identity.fullName, kind: 'text' },
    ...(identity.aliases ?? []).map((alias) => ({ fieldId: 'name' as const, value: alias, kind: 'text' as const })),
    ...(identity.passportNumbers ?? []).map((passport) => ({ fieldId: 'passport' as const, value: passport, kind: 'passport' as const })),
  ];
  const seen = new Set<string>();
  const indexes: BlindIndexDto[] = [];
  for (const entry of values) {
    // A value with nothing left after normalisation would match every other such value.
    if (normaliseBlindIndexValue(entry.value, entry.kind) === '') continue;
    const value = blindIndex(entry.value, entry.kind, entry.fieldId, team.blindIndexKey);
    if (seen.has(`${entry.fieldId}:${value}`)) continue;
    seen.add(`${entry.fieldId}:${value}`);
    indexes.push({ fieldId: entry.fieldId, value });
  }
  if (indexes.length > MAX_BLIND_INDEXES) {
    throw new MalformedInputError(`a case carries at most ${MAX_BLIND_INDEXES} names and passport numbers to index`);
  }
  return indexes;
}

async function teamKeysOf(session: CaseSession, options: CaseFlowOptions): Promise<MyTeamKeys> {
  await readyCrypto();
  return options.teamKeys ?? openMyTeamKeys(session);
}

/** Runs a protocol step, turning a protocol failure into "this case cannot be trusted". */
function verified<T>(caseId: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof ProtocolError) throw new CaseIntegrityError(caseId, error.code, error.message);
    throw error;
  }
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

interface OpenedCaseKey {
  response: CaseResponse & { sealed: NonNullable<CaseResponse['sealed']> };
  dataKey: DataKey;
  /** The revision author's keys as this device trusts them (current first, then retired). */
  authorSignKeys: Uint8Array[];
}

/**
 * Fetches the case and opens its data key, after checking that what came back is this
 * case's, not older than what this device has seen (RollbackError), authored by a member
 * this device trusts (KeyChangedError, UnverifiedAuthorError) and wrapped by one too.
 */
async function openCaseKey(session: CaseSession, caseId: string, options: CaseFlowOptions): Promise<OpenedCaseKey> {
  const teamKeys = await teamKeysOf(session, options);
  const response = await session.cases.get(caseId);
  const id = caseId.toLowerCase();
  if (response.id.toLowerCase() !== id) throw new CaseIntegrityError(id, 'mismatch', 'the server answered with another case');
  const sealed = response.sealed;
  if (sealed === null) {
    throw new CaseShreddedError(response.id, response.reference, response.shreddedAt ?? response.updatedAt);
  }
  const revision = sealed.revision;
  if (revision.entity !== CASE_ENTITY || revision.recordId.toLowerCase() !== id) {
    throw new CaseIntegrityError(id, 'mismatch', 'the revision belongs to another record');
  }
  if (revision.version !== response.revision) {
    throw new CaseIntegrityError(id, 'mismatch', `the case says revision ${response.revision} but carries signed revision ${revision.version}`);
  }
  if (revision.authorUserId.toLowerCase() !== sealed.author.userId.toLowerCase()) {
    throw new CaseIntegrityError(id, 'mismatch', 'the revision names another author than the key supplied');
  }
  session.trust.checkRecord(CASE_ENTITY, id, { version: response.version, revision: revision.version });
  const authorSignKeys = await trustedSignKeys(session, sealed.author);
  const wrap = sealed.wrap;
  if (wrap === null) throw new CaseIntegrityError(id, 'wrong_key', 'no key of this case is sealed to your embassy');
  if (wrap.keyId.toLowerCase() !== response.keyId.toLowerCase()) {
    throw new CaseIntegrityError(id, 'mismatch', 'the key wrap is for another key than the case names');
  }
  await verifyCaseWrap(session, id, wrap, sealed.wrapWriter);
  const team = teamOfGeneration(teamKeys, wrap.generation);
  if (team === undefined) throw new CaseIntegrityError(id, 'wrong_key', `this member holds no team key of generation ${wrap.generation}`);
  const dataKey = verified(id, () => openSealedDataKey(wrap, team));
  return { response: { ...response, sealed }, dataKey, authorSignKeys };
}

/**
 * The one place a case's key wrap is checked before it is opened: it must name this case
 * and carry its writer's signature, verified against the writer's key as this device
 * trusts it (trusted-keys.ts), never the served one alone. A wrap written before
 * protocol 2 is refused (`unsigned_wrap`) until a member re-signs it.
 */
export async function verifyCaseWrap(session: CaseSession, caseId: string, wrap: StoredDataKeyWrap, writer: SignerResponse | null): Promise<void> {
  const id = caseId.toLowerCase();
  if (wrap.entity !== CASE_ENTITY || wrap.recordId.toLowerCase() !== id) {
    throw new CaseIntegrityError(id, 'mismatch', 'the key wrap belongs to another record');
  }
  if (wrap.writerUserId === null || wrap.signature === null) {
    throw new CaseIntegrityError(id, 'unsigned_wrap', 'the key wrap carries no writer signature (written before protocol 2); a member of your embassy must re-sign it');
  }
  if (writer === null || writer.userId.toLowerCase() !== wrap.writerUserId.toLowerCase()) {
    throw new CaseIntegrityError(id, 'mismatch', 'the key wrap names another writer than the key supplied');
  }
  const writerKeys = await trustedSignKeys(session, writer);
  verified(id, () => verifiedUnderAny(writerKeys, (key) => verifyDataKeyWrap(wrap, key)));
}

function teamOfGeneration(teamKeys: MyTeamKeys, generation: number): TeamKeys | undefined {
  return teamKeys.history.find((team) => team.generation === generation);
}

/** The wire form of a signed revision (the DTO's arrays are mutable, the protocol's readonly). */
function revisionBody(revision: SignedRevision): SignedRevisionDto {
  return { ...revision, envelopes: revision.envelopes.map((entry) => ({ field: entry.field, envelope: entry.envelope })) };
}

function forget(dataKey: DataKey): void {
  sodium.memzero(dataKey.key);
}

function summaryOf(response: CaseResponse): CaseSummaryResponse {
  const { sealed: _sealed, ...summary } = response;
  return summary;
}

/** Seals a new case into the request the server takes (exposed for callers that retry on their own). */
export async function sealNewCase(session: CaseSession, input: NewCase, options: CaseFlowOptions = {}): Promise<CreateCaseRequest> {
  const { current } = await teamKeysOf(session, options);
  const id = (input.id ?? randomUuid()).toLowerCase();
  const dataKey = generateDataKey();
  try {
    const revision = revisionBody(
      sealRevision(
        { entity: CASE_ENTITY, recordId: id, version: 1, authorUserId: session.user.id },
        contentToFields(input.content),
        dataKey,
        session.keys.signSecretKey,
      ),
    );
    return {
      id,
      riskLevel: input.riskLevel,
      threatTypes: input.threatTypes,
      defenderGroups: input.defenderGroups,
      countryOfActivity: input.countryOfActivity,
      nextReviewAt: input.nextReviewAt ?? null,
      consentToTransfer: input.consentToTransfer,
      consentToRefugeSharing: input.consentToRefugeSharing,
      revision,
      wrap: signDataKeyWrap(sealDataKeyToTeam(dataKey, current), { entity: CASE_ENTITY, recordId: id, writerUserId: session.user.id }, session.keys.signSecretKey),
      blindIndexes: caseBlindIndexes(input.content.identity, current),
    };
  } finally {
    forget(dataKey);
  }
}

/** Creates a case: seals, signs, wraps to the embassy's current team key, indexes; idempotent. */
export async function createCase(session: CaseSession, input: NewCase, options: IdempotentOptions = {}): Promise<CaseSummaryResponse> {
  const request = await sealNewCase(session, input, options);
  const idempotencyKey = options.idempotencyKey ?? `case-${randomUuid()}`;
  return withOneRetry(() => session.cases.create(request, { idempotencyKey }));
}

/** Opens a case: unwraps its key, verifies the author's signature, opens every field. */
export async function getCase(session: CaseSession, caseId: string, options: CaseFlowOptions = {}): Promise<OpenedCase> {
  const { response, dataKey, authorSignKeys } = await openCaseKey(session, caseId, options);
  try {
    const fields = verified(response.id, () => verifiedUnderAny(authorSignKeys, (key) => openRevision(response.sealed.revision, key, dataKey)));
    const content = fieldsToContent(response.id, fields);
    // Marked in memory; written by session.saveTrust() (the CLI after every command), not
    // once per read: re-indexing an embassy opens every case.
    session.trust.noteRecord(CASE_ENTITY, response.id, { version: response.version, revision: response.sealed.revision.version });
    return { ...summaryOf(response), content, author: response.sealed.author };
  } finally {
    forget(dataKey);
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
    const teamKeys = await teamKeysOf(session, options);
    const { response, dataKey, authorSignKeys } = await openCaseKey(session, caseId, { ...options, teamKeys });
    try {
      const current = response.sealed.revision;
      // Verify what we keep before signing it as ours.
      verified(response.id, () => verifiedUnderAny(authorSignKeys, (key) => openRevision(current, key, dataKey)));
      const envelopes = new Map(current.envelopes.map((entry) => [entry.field, entry.envelope]));
      for (const key of Object.keys(content) as (keyof CaseContent)[]) {
        const field = SEALED_FIELD_OF[key];
        const value = content[key];
        if (value === null) {
          if (key === 'identity') throw new MalformedInputError('identity cannot be removed');
          envelopes.delete(field);
        } else if (value !== undefined) {
          envelopes.set(field, sealField(toJson(value), { entity: CASE_ENTITY, recordId: response.id, field }, dataKey));
        }
      }
      request.revision = revisionBody(
        signRevision(
          {
            entity: CASE_ENTITY,
            recordId: response.id,
            // The next of the signed revision, never of the clear counter the server reports.
            version: current.version + 1,
            authorUserId: session.user.id,
            envelopes: [...envelopes].map(([field, envelope]) => ({ field, envelope })),
          },
          session.keys.signSecretKey,
        ),
      );
      if (content.identity !== undefined && content.identity !== null) {
        request.blindIndexes = caseBlindIndexes(content.identity, teamKeys.current);
      }
    } finally {
      forget(dataKey);
    }
  }
  return session.cases.update(caseId, request);
}

/** Recomputes the case's blind indexes under my embassy's current key (after a transfer or a rotation). */
export async function reindexCase(session: CaseSession, caseId: string, options: CaseFlowOptions = {}): Promise<CaseSummaryResponse> {
  const teamKeys = await teamKeysOf(session, options);
  const opened = await getCase(session, caseId, { ...options, teamKeys });
  return session.cases.update(caseId, { version: opened.version, blindIndexes: caseBlindIndexes(opened.content.identity, teamKeys.current) });
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
  const teamKeys = await teamKeysOf(session, options);
  let done = 0;
  let cursor: string | undefined;
  do {
    const page = await listCases(session, { limit: 200, ...(cursor === undefined ? {} : { cursor }) });
    for (const summary of page.items) {
      if (summary.shreddedAt !== null) continue;
      await reindexCase(session, summary.id, { ...options, teamKeys });
      done += 1;
      onProgress(done);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return done;
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
  const { response, dataKey } = await openCaseKey(session, caseId, options);
  const id = (event.id ?? randomUuid()).toLowerCase();
  let revision: SignedRevision;
  try {
    revision = sealRevision(
      { entity: CASE_EVENT_ENTITY, recordId: id, version: 1, authorUserId: session.user.id },
      { [CASE_EVENT_SEALED_FIELD]: event.body },
      dataKey,
      session.keys.signSecretKey,
    );
  } finally {
    forget(dataKey);
  }
  const idempotencyKey = options.idempotencyKey ?? `event-${randomUuid()}`;
  return withOneRetry(() => session.cases.appendEvent(response.id, { id, type: event.type, revision: revisionBody(revision) }, { idempotencyKey }));
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
  const { response, dataKey } = await openCaseKey(session, caseId, options);
  try {
    if (page.keyId.toLowerCase() !== dataKey.keyId) throw new CaseIntegrityError(response.id, 'mismatch', 'the timeline names another key');
    const items: OpenedCaseEvent[] = [];
    for (const event of page.items) {
      let body: JsonValue | null = null;
      const revision = event.revision;
      if (revision !== null) {
        if (revision.entity !== CASE_EVENT_ENTITY || revision.recordId.toLowerCase() !== event.id.toLowerCase()) {
          throw new CaseIntegrityError(response.id, 'mismatch', `event ${event.id} carries another record's body`);
        }
        if (revision.authorUserId.toLowerCase() !== event.author.userId.toLowerCase()) {
          throw new CaseIntegrityError(response.id, 'mismatch', `event ${event.id} names another author than the key supplied`);
        }
        const signKeys = await trustedSignKeys(session, event.author);
        body = verified(response.id, () => verifiedUnderAny(signKeys, (key) => openRevision(revision, key, dataKey)))[CASE_EVENT_SEALED_FIELD] ?? null;
      }
      items.push({ id: event.id, caseId: event.caseId, type: event.type, createdAt: event.createdAt, author: event.author, body, details: event.details });
    }
    return { items, nextCursor: page.nextCursor };
  } finally {
    forget(dataKey);
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
  const { current } = await teamKeysOf(session, options);
  const [fieldId, value, kind] = 'name' in probe ? (['name', probe.name, 'text'] as const) : (['passport', probe.passport, 'passport'] as const);
  if (normaliseBlindIndexValue(value, kind) === '') return [];
  const index = blindIndex(value, kind, fieldId, current.blindIndexKey);
  return (await session.cases.findDuplicates({ fieldId, values: [index] })).candidates;
}

/**
 * Transfers the case to another embassy: its data key is re-sealed to that embassy's
 * current team key, accepted only if it derives the fingerprint the user confirmed, and
 * signed for this case; the transfer itself ("TRANSFER <reference> TO <embassy>", on the
 * version it is based on) is signed too, for the audit trail. My embassy loses access at
 * once; the receiver should reindex the case.
 */
export async function transferCase(session: CaseSession, caseId: string, transfer: CaseTransfer, options: CaseFlowOptions = {}): Promise<CaseTransferredResponse> {
  const target = transfer.targetEmbassyId.toLowerCase();
  await readyCrypto();
  const directory = await session.keysApi.teamKey(target);
  if (directory.scopeId.toLowerCase() !== target) throw new TeamFingerprintMismatchError(target);
  // Pinned for this generation, or confirmed now by the fingerprint read out of band (then pinned).
  const teamPublicKey = trustedTeamKeyOfScope(session, directory, transfer.expectedTeamFingerprint);
  await session.trust.save();
  const { response, dataKey } = await openCaseKey(session, caseId, options);
  try {
    const version = transfer.version ?? response.version;
    const wrap = signDataKeyWrap(
      sealDataKeyToTeam(dataKey, teamPublicKey),
      { entity: CASE_ENTITY, recordId: response.id, writerUserId: session.user.id },
      session.keys.signSecretKey,
    );
    const signature = signRecordAction(
      {
        action: 'transfer',
        entity: CASE_ENTITY,
        recordId: response.id,
        version,
        actorUserId: session.user.id,
        confirmation: transferConfirmation(response.reference, target),
      },
      session.keys.signSecretKey,
    );
    return await session.cases.transfer(response.id, { version, targetEmbassyId: target, wrap, signature, overrideReason: transfer.overrideReason });
  } finally {
    forget(dataKey);
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
  const signature = signRecordAction(
    { action: 'shred', entity: CASE_ENTITY, recordId: id, version, actorUserId: session.user.id, confirmation: confirm },
    session.keys.signSecretKey,
  );
  return session.cases.shred(id, { confirm, version, signature });
}

/**
 * The record check for a case's wrap that carries no trusted signature (written before
 * protocol 2, or by a writer nothing vouches for): yes only when the case it names is
 * this data key's, and its current revision verifies against an author this device
 * trusts and opens under the key. Used by `resignWraps` and by `rotateTeam`.
 */
export function confirmCaseWrap(session: CaseSession): WrapRecordCheck {
  return async (wrap, dataKey) => {
    if (wrap.entity !== CASE_ENTITY) return false;
    const response = await session.cases.get(wrap.recordId);
    const sealed = response.sealed;
    if (sealed === null || response.id.toLowerCase() !== wrap.recordId.toLowerCase() || response.keyId.toLowerCase() !== dataKey.keyId) return false;
    const revision = sealed.revision;
    if (revision.entity !== CASE_ENTITY || revision.recordId.toLowerCase() !== response.id.toLowerCase()) return false;
    try {
      const authorKeys = await trustedSignKeys(session, sealed.author);
      verifiedUnderAny(authorKeys, (key) => openRevision(revision, key, dataKey));
      return true;
    } catch (error) {
      if (error instanceof ProtocolError || error instanceof UnverifiedAuthorError || error instanceof KeyChangedError) return false;
      throw error;
    }
  };
}

/**
 * My embassy's case with this reference (KE-2026-0042), clear fields only: what a person
 * types, turned into the case id the other flows take. Another embassy's reference
 * answers 404 like a missing one.
 */
export function findCaseByReference(session: CaseSession, reference: string): Promise<CaseSummaryResponse> {
  return session.cases.findByReference(reference);
}
