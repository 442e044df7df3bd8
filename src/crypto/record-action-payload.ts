/**
 * Signed record actions (protocol 2): a member's signature over an irreversible act on a
 * record — a shred, a transfer — so that the audit trail holds proof of who asked for it,
 * which the server could not have made up.
 *
 * message = tuple("egide-record-action", u8(2), action, entity, recordId 16 bytes,
 *                 version u32, actorUserId 16 bytes, UTF-8(confirmation))
 *   shred:    confirmation = "SHRED <reference>",                 version = the record's current version
 *   transfer: confirmation = "TRANSFER <reference> TO <target id>", version = the transfer's `version`
 *
 * This module owns the action's shape, its validation and its canonical bytes; it never
 * signs (src/client/crypto) and never verifies (the server: src/common/crypto/signature-verifier.ts).
 */
import {
  DomainLabel,
  MAX_RECORD_ACTION_CONFIRMATION_BYTES,
  PROTOCOL_VERSION,
  RECORD_ACTIONS,
  type RecordActionKind,
} from './protocol-constants';
import { MalformedInputError } from './protocol-errors';
import { assertIdentifier, encodeLengthPrefixedTuple, u32be, u8, utf8, uuidToBytes } from './binary-encoding';

export interface RecordAction {
  readonly action: RecordActionKind;
  readonly entity: string;
  readonly recordId: string;
  /** The record version the action is based on. */
  readonly version: number;
  /** The signer; a server checks the signature against this user's registered key. */
  readonly actorUserId: string;
  /** The text the member confirmed, e.g. `SHRED KE-2026-0042`. */
  readonly confirmation: string;
}

/** Structure only: the caller decides what the confirmation must say. */
export function validateRecordAction(action: RecordAction): void {
  if (!(RECORD_ACTIONS as readonly string[]).includes(action.action)) {
    throw new MalformedInputError(`action must be one of: ${RECORD_ACTIONS.join(', ')}`);
  }
  if (typeof action.entity !== 'string') throw new MalformedInputError('entity is not an identifier');
  assertIdentifier(action.entity, 'entity');
  if (!Number.isInteger(action.version) || action.version < 1 || action.version > 0xffff_ffff) {
    throw new MalformedInputError('version must be a positive 32-bit integer');
  }
  if (typeof action.confirmation !== 'string' || action.confirmation === '') {
    throw new MalformedInputError('confirmation must be a non-empty string');
  }
  if (utf8(action.confirmation).length > MAX_RECORD_ACTION_CONFIRMATION_BYTES) {
    throw new MalformedInputError(`confirmation is at most ${MAX_RECORD_ACTION_CONFIRMATION_BYTES} bytes`);
  }
}

/** The exact bytes the actor signs. */
export function encodeRecordActionMessage(action: RecordAction): Uint8Array {
  validateRecordAction(action);
  return encodeLengthPrefixedTuple([
    DomainLabel.RecordActionSignature,
    u8(PROTOCOL_VERSION),
    action.action,
    action.entity,
    uuidToBytes(action.recordId, 'recordId'),
    u32be(action.version),
    uuidToBytes(action.actorUserId, 'actorUserId'),
    utf8(action.confirmation),
  ]);
}
