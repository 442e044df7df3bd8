/**
 * The SDK's sealed-record kit (docs/sdk.md, "The sealed-record kit"): what every record type —
 * cases today, visa requests and refuge placements next — uses to seal a new record, seal
 * the next revision of one, open one against the device's trust store, and retry once
 * when a scope's team generation moved under it. A flow of a record type declares its
 * SealedRecordType and calls these; it never calls libsodium itself.
 *
 * This folder must stay browser-ready: Uint8Array and TextEncoder only (no Buffer, no
 * node:*), server modules imported as types only.
 */
export {
  assertContentChanges,
  contentOfFields,
  contentProperties,
  fieldsOfContent,
  toJsonValue,
  type BlindIndexRule,
  type BlindIndexValue,
  type ContentChanges,
  type SealedFieldRule,
  type SealedFields,
  type SealedRecordType,
  type SealedRevisionType,
} from './record-types';
export { RecordIntegrityError, verifiedStep } from './record-errors';
export { forgetTeamKeys, OtherScope, OwnScope, type ReaderScope, type SealedRecordSession } from './reader-scopes';
export { isStaleGeneration, retryOnStaleGeneration, STALE_GENERATION } from './stale-generation';
export {
  authorOf,
  blindIndexProbe,
  forgetDataKey,
  recordBlindIndexes,
  resealForReaders,
  revisionBody,
  sealNewRecord,
  sealRevisionUnderKey,
  sendNewRecord,
  wrapDataKey,
  type BlindIndexEntry,
  type NewRecordInput,
  type RecordAuthor,
  type SealedNewRecord,
  type SignedRevisionBody,
} from './sealing';
export {
  openRecord,
  openRecordKey,
  openRevisionUnderKey,
  verifyRecordWrap,
  wrapRecordCheck,
  type OpenedRecord,
  type OpenedRecordKey,
  type ServedRecord,
  type ServedWrap,
  type VerifiedSigner,
} from './opening';
export { sealNextRevision, type NextRevision } from './revising';
export { signRecordActionAs, type RecordActionRequest } from './record-actions';
