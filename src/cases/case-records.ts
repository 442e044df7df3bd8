/**
 * The two sealed record types of the case feature, as the sealed-record kit checks them
 * (src/sealed-records/): a case (its sealed fields, `identity` required) and a timeline
 * event (one sealed body under its case's key).
 */
import type { SealedRecordType } from '../sealed-records/sealed-material.checks';
import { CASE_ENTITY, CASE_EVENT_ENTITY, CASE_EVENT_SEALED_FIELD, CASE_SEALED_FIELDS, REQUIRED_CASE_SEALED_FIELDS } from '../contract/case-vocabulary';

export const CASE_RECORD: SealedRecordType = {
  entity: CASE_ENTITY,
  noun: 'case',
  allowedFields: CASE_SEALED_FIELDS,
  requiredFields: REQUIRED_CASE_SEALED_FIELDS,
};

export const CASE_EVENT_RECORD: SealedRecordType = {
  entity: CASE_EVENT_ENTITY,
  noun: 'event',
  allowedFields: [CASE_EVENT_SEALED_FIELD],
  requiredFields: [CASE_EVENT_SEALED_FIELD],
};
