/**
 * Signed record actions (docs/protocol.md §5.14): an irreversible act on a record of any
 * type — `shred`, `transfer` — signed by the member who asks for it, on the version they
 * read and with the confirmation text they were shown, for the audit trail. The server
 * verifies the signature and keeps it; no client reads it back today, so the kit signs
 * and does not verify.
 *
 * This module must never sign for anyone but the author it is given, and never sign an
 * action whose confirmation its caller did not build from what the member saw.
 */
import type { RecordActionKind } from '../../crypto/protocol-constants';
import { signRecordAction } from '../crypto/record-action-signatures';
import type { RecordAuthor } from './sealing';

/** What the member asks for, on which record and version, in the words they confirmed. */
export interface RecordActionRequest {
  readonly action: RecordActionKind;
  readonly entity: string;
  readonly recordId: string;
  readonly version: number;
  /** e.g. `SHRED KE-2026-0042`, `TRANSFER KE-2026-0042 TO <embassy id>`. */
  readonly confirmation: string;
}

/** The detached signature (base64url, 64 bytes), with `actorUserId` = the author. */
export function signRecordActionAs(author: RecordAuthor, request: RecordActionRequest): string {
  return signRecordAction(
    {
      action: request.action,
      entity: request.entity,
      recordId: request.recordId.toLowerCase(),
      version: request.version,
      actorUserId: author.userId,
      confirmation: request.confirmation,
    },
    author.signSecretKey,
  );
}
