/**
 * The server's checks of sealed material a client submits for any sealed record (a case,
 * a timeline event, and later a visa request or a placement brief), without any key
 * (docs/protocol.md §5.2, §5.5, §5.8, §5.13, §5.14): the revision's coordinates are this
 * record's, the author is the caller, the fields are the record type's, every envelope
 * is well-formed and under this record's key id, and (with the author's registered key)
 * the signature verifies; a data-key wrap's signature verifies under its writer's key
 * (what the wrap says about itself is the keyring's to check: KeyringService.checkWrap);
 * a signed record action (shred, transfer) verifies under the caller's key. Each failure
 * is a 400 naming the field.
 *
 * This module owns the order and wording of those checks and nothing else: it never
 * reads the database and never decides who may write (the calling feature does both).
 */
import type { KeyObject } from 'node:crypto';
import { verifyDataKeyWrapOnServer, verifyRecordActionOnServer, verifyRevisionSignatureOnServer } from '../common/crypto/signature-verifier';
import { fieldProblem } from '../common/http/problem';
import { checkProtocolInput } from '../common/http/protocol-input';
import { assertEnvelopeKeyId, parseEnvelope } from '../crypto/envelope';
import type { SignedDataKeyWrap } from '../crypto/data-key-wrap-payload';
import type { RecordAction } from '../crypto/record-action-payload';
import { decodeRevisionEnvelopes, type SignedRevision } from '../crypto/revision-payload';

/** What a record type is, for the checks: its protocol entity name and its sealed fields. */
export interface SealedRecordType {
  /** The protocol entity, e.g. `case`, `case_event`. */
  readonly entity: string;
  /** How a person calls it in an error message, e.g. `case`. */
  readonly noun: string;
  readonly allowedFields: readonly string[];
  readonly requiredFields: readonly string[];
}

export interface RevisionExpectation {
  /** Where the revision sits in the request body, e.g. `revision`. */
  readonly at: string;
  readonly type: SealedRecordType;
  readonly recordId: string;
  readonly authorUserId: string;
  readonly keyId: string;
}

/** Structure, coordinates, author, fields and key ids; the version is the caller's to check. */
export function checkRevisionStructure(revision: SignedRevision, expected: RevisionExpectation): void {
  const { at, type } = expected;
  if (revision.entity !== type.entity) throw fieldProblem(`${at}.entity`, `must be ${type.entity}`);
  if (revision.recordId.toLowerCase() !== expected.recordId) throw fieldProblem(`${at}.recordId`, 'must be the id of this record');
  if (revision.authorUserId.toLowerCase() !== expected.authorUserId) throw fieldProblem(`${at}.authorUserId`, 'must be the caller');
  revision.envelopes.forEach((entry, index) => {
    if (!type.allowedFields.includes(entry.field)) {
      throw fieldProblem(`${at}.envelopes.${index}.field`, `must be one of: ${type.allowedFields.join(', ')}`);
    }
    const envelope = checkProtocolInput(`${at}.envelopes.${index}.envelope`, () => parseEnvelope(entry.envelope));
    checkProtocolInput(`${at}.envelopes.${index}.envelope`, () => assertEnvelopeKeyId(envelope, expected.keyId));
  });
  checkProtocolInput(`${at}.envelopes`, () => decodeRevisionEnvelopes(revision.envelopes));
  for (const required of type.requiredFields) {
    if (!revision.envelopes.some((entry) => entry.field === required)) throw fieldProblem(`${at}.envelopes`, `must include ${required}`);
  }
}

/** The revision's signature against the author's (the caller's) registered key. */
export function checkRevisionSignature(at: string, revision: SignedRevision, authorSignKey: KeyObject | string): void {
  checkProtocolInput(`${at}.signature`, () => verifyRevisionSignatureOnServer(revision, authorSignKey));
}

/** The wrap's signature against the writer's (the caller's) registered key. */
export function checkWrapSignature(at: string, wrap: SignedDataKeyWrap, writerSignKey: KeyObject | string): void {
  checkProtocolInput(`${at}.signature`, () => verifyDataKeyWrapOnServer(wrap, writerSignKey));
}

/** A signed record action (shred, transfer) against the actor's (the caller's) registered key. */
export function checkRecordActionSignature(at: string, action: RecordAction, signature: string, actorSignKey: KeyObject | string): void {
  checkProtocolInput(at, () => verifyRecordActionOnServer(action, signature, actorSignKey));
}

/** One blind index as the kit stores it: which indexed field, and its keyed hash. */
export interface BlindIndexEntry {
  readonly fieldId: string;
  readonly value: string;
}

/** Blind indexes, each once. */
export function checkBlindIndexes(at: string, entries: readonly BlindIndexEntry[]): void {
  const seen = new Set<string>();
  entries.forEach((entry, index) => {
    const key = `${entry.fieldId}:${entry.value}`;
    if (seen.has(key)) throw fieldProblem(`${at}.${index}`, 'appears twice');
    seen.add(key);
  });
}
