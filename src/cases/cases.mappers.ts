/**
 * Explicit mappers from repository rows to response bodies: each field is chosen, so a
 * column added to a table never reaches a client by default, and a shredded case never
 * carries sealed material (there is none left to carry).
 */
import { CASE_ENTITY, CASE_EVENT_ENTITY, CASE_EVENT_SEALED_FIELD } from '../contract/case-vocabulary';
import type { CaseEventResponse, CaseResponse, CaseSummaryResponse, DuplicateCandidateResponse, SignerResponse } from './dto/case.response';
import type { BlindIndexField } from '../contract/case-vocabulary';
import type { CaseEventRow, CaseRow, DuplicateRow, SealedCaseRow } from './cases.repository';

function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

export function toCaseSummaryResponse(row: CaseRow): CaseSummaryResponse {
  return {
    id: row.id,
    reference: row.reference,
    embassyId: row.embassy_id,
    status: row.status,
    riskLevel: row.risk_level,
    threatTypes: row.threat_types,
    defenderGroups: row.defender_groups,
    countryOfActivity: row.country_of_activity,
    assignedToId: row.assigned_to_id,
    nextReviewAt: iso(row.next_review_at),
    version: row.version,
    revision: row.revision,
    consentToTransfer: row.consent_to_transfer,
    consentToTransferAt: iso(row.consent_to_transfer_at),
    consentToRefugeSharing: row.consent_to_refuge_sharing,
    consentToRefugeSharingAt: iso(row.consent_to_refuge_sharing_at),
    keyId: row.key_id,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    shreddedAt: iso(row.shredded_at),
  };
}

export function toCaseResponse(row: SealedCaseRow): CaseResponse {
  const author: SignerResponse = {
    userId: row.revision_author_id,
    signPublicKey: row.author_sign_public_key,
    boxPublicKey: row.author_box_public_key,
    fingerprint: row.author_fingerprint,
  };
  const sealed =
    row.shredded_at !== null || row.envelopes === null || row.revision_signature === null
      ? null
      : {
          revision: {
            entity: CASE_ENTITY,
            recordId: row.id,
            version: row.revision,
            authorUserId: row.revision_author_id,
            envelopes: row.envelopes.map((entry) => ({ field: entry.field, envelope: entry.envelope })),
            signature: row.revision_signature,
          },
          author,
          wrap:
            row.wrap_generation === null || row.wrap_sealed === null || row.wrap_entity === null || row.wrap_record_id === null
              ? null
              : {
                  keyId: row.key_id,
                  scopeId: row.embassy_id,
                  generation: row.wrap_generation,
                  sealed: row.wrap_sealed,
                  entity: row.wrap_entity,
                  recordId: row.wrap_record_id,
                  writerUserId: row.wrap_writer_id,
                  signature: row.wrap_signature,
                },
          // The writer's key as registered: the reader verifies the wrap with it (or with its own pinned copy).
          wrapWriter:
            row.wrap_writer_id === null ||
            row.wrap_writer_sign_public_key === null ||
            row.wrap_writer_box_public_key === null ||
            row.wrap_writer_fingerprint === null
              ? null
              : {
                  userId: row.wrap_writer_id,
                  signPublicKey: row.wrap_writer_sign_public_key,
                  boxPublicKey: row.wrap_writer_box_public_key,
                  fingerprint: row.wrap_writer_fingerprint,
                },
        };
  return { ...toCaseSummaryResponse(row), sealed };
}

export function toCaseEventResponse(row: CaseEventRow): CaseEventResponse {
  return {
    id: row.id,
    caseId: row.case_id,
    type: row.type,
    author: { userId: row.author_id, signPublicKey: row.author_sign_public_key, boxPublicKey: row.author_box_public_key, fingerprint: row.author_fingerprint },
    revision:
      row.body === null || row.signature === null
        ? null
        : {
            entity: CASE_EVENT_ENTITY,
            recordId: row.id,
            version: 1,
            authorUserId: row.author_id,
            envelopes: [{ field: CASE_EVENT_SEALED_FIELD, envelope: row.body }],
            signature: row.signature,
          },
    details: row.details,
    createdAt: row.created_at.toISOString(),
  };
}

export function toDuplicateCandidateResponse(fieldId: BlindIndexField, row: DuplicateRow): DuplicateCandidateResponse {
  return { caseId: row.case_id, reference: row.reference, fieldId, matches: row.matches };
}
