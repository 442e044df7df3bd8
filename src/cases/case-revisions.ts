/**
 * The server's checks of sealed material a client submits for a case or a timeline
 * event (docs/protocol.md §5.2, §5.5, §5.8), without any key: the revision's coordinates
 * are this record's, the author is the caller, the fields are the entity's, every
 * envelope is well-formed and under this record's key id, and (with the author's
 * registered key) the signature verifies. Each failure is a 400 naming the field.
 *
 * This module owns the order and wording of those checks and nothing else: it never
 * reads the database and never decides who may write.
 */
import type { KeyObject } from 'node:crypto';
import { checkProtocolInput } from '../common/http/protocol-input';
import { assertEnvelopeKeyId, parseEnvelope } from '../crypto/envelope';
import { validateSealedDataKey, type SealedDataKey } from '../crypto/key-bundles';
import { decodeRevisionEnvelopes, type SignedRevision } from '../crypto/revision-payload';
import { verifyRevisionSignatureOnServer } from '../crypto/signature-verifier';
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

/** A wrap of this case's key, sealed to `scopeId` (its generation is checked under the keyring lock). */
export function checkWrap(at: string, wrap: SealedDataKey, keyId: string, scopeId: string): void {
  checkProtocolInput(at, () => validateSealedDataKey(wrap));
  if (wrap.keyId.toLowerCase() !== keyId) throw fieldProblem(`${at}.keyId`, "must be the case's key id");
  if (wrap.scopeId.toLowerCase() !== scopeId) throw fieldProblem(`${at}.scopeId`, 'must be the embassy that reads the case');
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
