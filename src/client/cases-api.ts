/**
 * Typed calls to the case routes (/api/v1/cases). Request and response types are the
 * server's own DTO classes, imported as types only: one source for both sides, and
 * nothing of the server is loaded by the client. No crypto here: case-flow.ts seals,
 * signs, wraps and opens; these calls carry what it made.
 */
import type { AssignCaseRequest } from '../cases/dto/assign-case.dto';
import type { ChangeCaseStatusRequest } from '../cases/dto/change-case-status.dto';
import type { ShredCaseRequest } from '../cases/dto/shred-case.dto';
import type { TransferCaseRequest } from '../cases/dto/transfer-case.dto';
import type { AppendCaseEventRequest } from '../cases/dto/case-event.dto';
import type {
  CaseEventCreatedResponse,
  CaseEventPage,
  CasePage,
  CaseResponse,
  CaseSummaryResponse,
  CaseTransferredResponse,
  DuplicateCandidatesResponse,
} from '../cases/dto/case.response';
import type { CreateCaseRequest } from '../cases/dto/create-case.dto';
import type { DuplicateSearchRequest } from '../cases/dto/duplicate-search.dto';
import type { ListCaseEventsQuery } from '../cases/dto/list-case-events.dto';
import type { ListCasesQuery } from '../cases/dto/list-cases.dto';
import type { UpdateCaseRequest } from '../cases/dto/update-case.dto';
import type { HttpClient } from './http-client';

/** Ids go into paths: encode them so that a stray character cannot reach another route. */
const segment = encodeURIComponent;

export interface IdempotencyOption {
  /** Sent as `Idempotency-Key`: a retry with the same key and body returns the first response. */
  idempotencyKey?: string;
}

function idempotencyHeaders(options: IdempotencyOption): Record<string, string> {
  return options.idempotencyKey === undefined ? {} : { 'idempotency-key': options.idempotencyKey };
}

export class CasesApi {
  constructor(private readonly http: HttpClient) {}

  create(body: CreateCaseRequest, options: IdempotencyOption = {}): Promise<CaseSummaryResponse> {
    return this.http.request('POST', '/cases', { body, headers: idempotencyHeaders(options) });
  }

  list(query: ListCasesQuery = {}): Promise<CasePage> {
    return this.http.request('GET', '/cases', { query: { ...query } });
  }

  get(id: string): Promise<CaseResponse> {
    return this.http.request('GET', `/cases/${segment(id)}`);
  }

  /** My embassy's case with this reference (KE-2026-0042): its clear summary. */
  findByReference(reference: string): Promise<CaseSummaryResponse> {
    return this.http.request('GET', `/cases/by-reference/${segment(reference)}`);
  }

  update(id: string, body: UpdateCaseRequest): Promise<CaseSummaryResponse> {
    return this.http.request('PATCH', `/cases/${segment(id)}`, { body });
  }

  changeStatus(id: string, body: ChangeCaseStatusRequest): Promise<CaseSummaryResponse> {
    return this.http.request('POST', `/cases/${segment(id)}/status`, { body });
  }

  assign(id: string, body: AssignCaseRequest): Promise<CaseSummaryResponse> {
    return this.http.request('POST', `/cases/${segment(id)}/assign`, { body });
  }

  appendEvent(id: string, body: AppendCaseEventRequest, options: IdempotencyOption = {}): Promise<CaseEventCreatedResponse> {
    return this.http.request('POST', `/cases/${segment(id)}/events`, { body, headers: idempotencyHeaders(options) });
  }

  listEvents(id: string, query: ListCaseEventsQuery = {}): Promise<CaseEventPage> {
    return this.http.request('GET', `/cases/${segment(id)}/events`, { query: { ...query } });
  }

  findDuplicates(body: DuplicateSearchRequest): Promise<DuplicateCandidatesResponse> {
    return this.http.request('POST', '/cases/duplicate-search', { body });
  }

  transfer(id: string, body: TransferCaseRequest): Promise<CaseTransferredResponse> {
    return this.http.request('POST', `/cases/${segment(id)}/transfer`, { body });
  }

  shred(id: string, body: ShredCaseRequest): Promise<CaseSummaryResponse> {
    return this.http.request('POST', `/cases/${segment(id)}/shred`, { body });
  }
}
