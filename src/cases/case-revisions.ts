/**
 * The server's checks of sealed material a client submits for a case or a timeline
 * event (docs/protocol.md §5.2, §5.5, §5.8), without any key: the revision's coordinates
 * are this record's, the author is the caller, the fields are the entity's, every
 * envelope is well-formed and under this record's key id, and (with the author's
 * registered key) the signature verifies; a data-key wrap is this record's key, bound
 * to this record and signed by the caller; a signed record action (shred, transfer)
 * verifies under the caller's key. Each failure is a 400 naming the field.
 *
 * This module owns the order and wording of those checks and nothing else: it never
 * reads the database and never decides who may write.
 */
import type { KeyObject } from 'node:crypto';
import { checkProtocolInput } from '../common/http/protocol-input';
import { assertEnvelopeKeyId, parseEnvelope } from '../crypto/envelope';
import { validateSignedDataKeyWrap, type SignedDataKeyWrap } from '../crypto/data-key-wrap-payload';
import type { RecordAction } from '../crypto/record-action-payload';
import { decodeRevisionEnvelopes, type SignedRevision } from '../crypto/revision-payload';
import { verifyDataKeyWrapOnServer, verifyRecordActionOnServer, verifyRevisionSignatureOnServer } from '../common/crypto/signature-verifier';
import { fieldProblem } from './case.policy';
import type { BlindIndexEntry } from './cases.repository';

export interface RevisionExpectation {
  /** Where the revision sits in the request body, e.g. `revision`. */
  readonly at: string;
  readonly entity: string;
  readonly recordId: string;
  readonly authorUserId: string;
  readonly keyId: string;
  readonly allowedFields: readonly string[];
  readonly requiredFields: readonly string[];
}

/** Structure, coordinates, author, fields and key ids; the version is the caller's to check. */
export function checkRevisionStructure(revision: SignedRevision, expected: RevisionExpectation): void {
  const at = expected.at;
  if (revision.entity !== expected.entity) throw fieldProblem(`${at}.entity`, `must be ${expected.entity}`);
  if (revision.recordId.toLowerCase() !== expected.recordId) throw fieldProblem(`${at}.recordId`, 'must be the id of this record');
  if (revision.authorUserId.toLowerCase() !== expected.authorUserId) throw fieldProblem(`${at}.authorUserId`, 'must be the caller');
  revision.envelopes.forEach((entry, index) => {
    if (!expected.allowedFields.includes(entry.field)) {
      throw fieldProblem(`${at}.envelopes.${index}.field`, `must be one of: ${expected.allowedFields.join(', ')}`);
    }
    const envelope = checkProtocolInput(`${at}.envelopes.${index}.envelope`, () => parseEnvelope(entry.envelope));
    checkProtocolInput(`${at}.envelopes.${index}.envelope`, () => assertEnvelopeKeyId(envelope, expected.keyId));
  });
  checkProtocolInput(`${at}.envelopes`, () => decodeRevisionEnvelopes(revision.envelopes));
  for (const required of expected.requiredFields) {
    if (!revision.envelopes.some((entry) => entry.field === required)) throw fieldProblem(`${at}.envelopes`, `must include ${required}`);
  }
}

export function checkRevisionSignature(at: string, revision: SignedRevision, authorSignKey: KeyObject | string): void {
  checkProtocolInput(`${at}.signature`, () => verifyRevisionSignatureOnServer(revision, authorSignKey));
}

/** What a submitted wrap must say about itself: this record's key, for this scope, written by the caller. */
export interface WrapExpectation {
  readonly keyId: string;
  readonly scopeId: string;
  readonly entity: string;
  readonly recordId: string;
  readonly writerUserId: string;
}

/** A wrap of this record's key, sealed to `scopeId`, bound to this record by the caller (its generation is checked under the keyring lock). */
export function checkWrap(at: string, wrap: SignedDataKeyWrap, expected: WrapExpectation): void {
  checkProtocolInput(at, () => validateSignedDataKeyWrap(wrap));
  if (wrap.keyId.toLowerCase() !== expected.keyId) throw fieldProblem(`${at}.keyId`, "must be the case's key id");
  if (wrap.scopeId.toLowerCase() !== expected.scopeId) throw fieldProblem(`${at}.scopeId`, 'must be the embassy that reads the case');
  if (wrap.entity !== expected.entity) throw fieldProblem(`${at}.entity`, `must be ${expected.entity}`);
  if (wrap.recordId.toLowerCase() !== expected.recordId) throw fieldProblem(`${at}.recordId`, 'must be the id of this record');
  if (wrap.writerUserId.toLowerCase() !== expected.writerUserId) throw fieldProblem(`${at}.writerUserId`, 'must be the caller');
}

/** The wrap's signature against the writer's (the caller's) registered key. */
export function checkWrapSignature(at: string, wrap: SignedDataKeyWrap, writerSignKey: KeyObject | string): void {
  checkProtocolInput(`${at}.signature`, () => verifyDataKeyWrapOnServer(wrap, writerSignKey));
}

/** A signed record action (shred, transfer) against the actor's (the caller's) registered key. */
export function checkRecordActionSignature(at: string, action: RecordAction, signature: string, actorSignKey: KeyObject | string): void {
  checkProtocolInput(at, () => verifyRecordActionOnServer(action, signature, actorSignKey));
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
