/**
 * Opening records, for every record type, in the order docs/protocol.md §8 ("Reading a
 * record") fixes: the revision is this record's and names the author the response names;
 * the record is not older than this device has seen (§5.12 rule 5); the author's key is
 * one this device trusts (rules 1–2); the caller's wrap — the one sealed to the caller's
 * own scope — is this record's and this key's, signed by a writer this device trusts, and
 * verifies (§5.13); it opens with the team key of its generation, reached through the
 * history links if older (§5.5); the revision signature verifies under the author's
 * trusted key (§5.8); only then are the envelopes opened with associated data rebuilt
 * from the row (§5.1), and the content checked against the type (§5.15).
 *
 * This module must never return anything of a record that failed one of these steps,
 * and never verify a signature under a key the server served on its own say-so
 * (trusted-keys.ts decides). It throws RecordIntegrityError (a protocol code or
 * `mismatch`), KeyChangedError, UnverifiedAuthorError or RollbackError.
 */
import type { StoredDataKeyWrap } from '../../crypto/data-key-wrap-payload';
import { ProtocolError } from '../../crypto/protocol-errors';
import type { SignedRevision } from '../../crypto/revision-payload';
import { verifyDataKeyWrap } from '../crypto/data-key-wrap-signatures';
import { openSealedDataKey, type DataKey } from '../crypto/data-keys';
import type { JsonValue } from '../crypto/field-envelopes';
import { openRevision } from '../crypto/record-revisions';
import type { WrapRecordCheck } from '../team-keys-flow';
import { describeMember, KeyChangedError, UnverifiedAuthorError, type MemberVerification } from '../trust-store';
import { trustedSignKeys, verifiedUnderAny, type ServedSigner } from '../trusted-keys';
import type { OwnScope, SealedRecordSession } from './reader-scopes';
import { RecordIntegrityError, verifiedStep } from './record-errors';
import { contentOfFields, type SealedRecordType, type SealedRevisionType } from './record-types';
import { forgetDataKey } from './sealing';

/** A wrap as a record's response carries it, with its writer as the server has them on record. */
export interface ServedWrap {
  readonly wrap: StoredDataKeyWrap;
  /** Null for an unsigned (protocol 1) wrap. */
  readonly writer: ServedSigner | null;
}

/** A record with its sealed content, as a server served it: every part a claim to check. */
export interface ServedRecord {
  /** The id the caller asked for (the response's, once checked to be the same). */
  readonly recordId: string;
  /** The record's data key id, as the row names it. */
  readonly keyId: string;
  readonly revision: SignedRevision;
  /** The revision's author, with the keys the server has on record for them. */
  readonly author: ServedSigner;
  /** The wraps served with the record; the kit uses the one sealed to the caller's own scope. */
  readonly wraps: readonly ServedWrap[];
  /** The revision number the row states apart from the signed revision, if it does (a case's `revision`). */
  readonly revisionNumber?: number;
  /**
   * The record's optimistic-concurrency version, if it has one: the served (version,
   * revision) is checked against the highest this device has seen (RollbackError).
   */
  readonly version?: number;
}

/** A signer after verification: who this device believes they are, and why. */
export interface VerifiedSigner {
  readonly userId: string;
  /** `Name <e-mail> (scope)`, as much of it as this device knows (describeMember). */
  readonly label: string;
  /** How this device came to trust the key that verified: self, fingerprint, grant or first-use. */
  readonly verification: MemberVerification;
  /** The keys the server served for them (checked equal to the trusted ones). */
  readonly served: ServedSigner;
}

/** A record's data key, opened after every check above but the revision's own signature. */
export interface OpenedRecordKey {
  readonly recordId: string;
  readonly dataKey: DataKey;
  readonly revision: SignedRevision;
  /** The author's keys as this device trusts them (current first, then retired ones the user kept). */
  readonly authorSignKeys: readonly Uint8Array[];
  readonly author: VerifiedSigner;
  readonly wrapWriter: VerifiedSigner;
}

/** A record opened and verified, with who wrote it. */
export interface OpenedRecord<Content> {
  readonly recordId: string;
  readonly content: Content;
  /** The signed revision number. */
  readonly revision: number;
  readonly author: VerifiedSigner;
  readonly wrapWriter: VerifiedSigner;
}

function mismatch(entity: string, recordId: string, detail: string): RecordIntegrityError {
  return new RecordIntegrityError(entity, recordId, 'mismatch', detail);
}

/** The member as this device trusts them, once trustedSignKeys accepted the served keys. */
function verifiedSigner(session: SealedRecordSession, served: ServedSigner): VerifiedSigner {
  const pinned = session.trust.member(served.userId);
  // trustedSignKeys pins whoever it accepts: a signer without a pin was never accepted.
  if (pinned === undefined) throw new UnverifiedAuthorError({ kind: 'member', id: served.userId.toLowerCase(), label: served.userId }, null);
  return { userId: pinned.userId, label: describeMember(pinned), verification: pinned.verification, served };
}

/** Checks a revision is this record's (`entity`, `recordId`). */
function assertRevisionOfRecord(entity: string, recordId: string, revision: SignedRevision): void {
  if (revision.entity !== entity || revision.recordId.toLowerCase() !== recordId) throw mismatch(entity, recordId, 'the revision belongs to another record');
}

/** Checks a revision names the author the response supplies keys for. */
function assertRevisionAuthor(entity: string, recordId: string, revision: SignedRevision, author: ServedSigner): void {
  if (revision.authorUserId.toLowerCase() !== author.userId.toLowerCase()) {
    throw mismatch(entity, recordId, 'the revision names another author than the key supplied');
  }
}

/**
 * The one place a record's wrap is checked before it is opened: it must name this record
 * and carry its writer's signature, verified against the writer's key as this device
 * trusts it, never the served one alone. A wrap written before protocol 2 is refused
 * (`unsigned_wrap`) until a member re-signs it. Returns the writer as verified.
 */
export async function verifyRecordWrap(session: SealedRecordSession, entity: string, recordId: string, served: ServedWrap): Promise<VerifiedSigner> {
  const id = recordId.toLowerCase();
  const { wrap, writer } = served;
  if (wrap.entity !== entity || wrap.recordId.toLowerCase() !== id) throw mismatch(entity, id, 'the key wrap belongs to another record');
  if (wrap.writerUserId === null || wrap.signature === null) {
    throw new RecordIntegrityError(entity, id, 'unsigned_wrap', 'the key wrap carries no writer signature (written before protocol 2); a member of your scope must re-sign it');
  }
  if (writer === null || writer.userId.toLowerCase() !== wrap.writerUserId.toLowerCase()) {
    throw mismatch(entity, id, 'the key wrap names another writer than the key supplied');
  }
  const writerKeys = await trustedSignKeys(session, writer);
  verifiedStep(entity, id, () => verifiedUnderAny(writerKeys, (key) => verifyDataKeyWrap(wrap, key)));
  return verifiedSigner(session, writer);
}

/**
 * Opens a record's data key after checking that what came back is this record's, not
 * older than this device has seen, authored by a member this device trusts, and wrapped
 * to the caller's scope by a writer it trusts. The caller verifies the revision under
 * `authorSignKeys` before using its content (openRecord, sealNextRevision do) and erases
 * the key (forgetDataKey).
 */
export async function openRecordKey<Content extends object, FieldId extends string>(
  session: SealedRecordSession,
  type: SealedRecordType<Content, FieldId>,
  served: ServedRecord,
  own: OwnScope,
): Promise<OpenedRecordKey> {
  const { entity } = type;
  const id = served.recordId.toLowerCase();
  const revision = served.revision;
  assertRevisionOfRecord(entity, id, revision);
  if (served.revisionNumber !== undefined && revision.version !== served.revisionNumber) {
    throw mismatch(entity, id, `the ${entity} says revision ${served.revisionNumber} but carries signed revision ${revision.version}`);
  }
  assertRevisionAuthor(entity, id, revision, served.author);
  if (served.version !== undefined) session.trust.checkRecord(entity, id, { version: served.version, revision: revision.version });
  const authorSignKeys = await trustedSignKeys(session, served.author);
  const author = verifiedSigner(session, served.author);
  const mine = served.wraps.find((entry) => entry.wrap.scopeId.toLowerCase() === own.scopeId);
  if (mine === undefined) throw new RecordIntegrityError(entity, id, 'wrong_key', `no key of this ${entity} is sealed to your scope`);
  if (mine.wrap.keyId.toLowerCase() !== served.keyId.toLowerCase()) {
    throw mismatch(entity, id, `the key wrap is for another key than the ${entity} names`);
  }
  const wrapWriter = await verifyRecordWrap(session, entity, id, mine);
  const team = own.ofGeneration(mine.wrap.generation);
  if (team === undefined) throw new RecordIntegrityError(entity, id, 'wrong_key', `this member holds no team key of generation ${mine.wrap.generation}`);
  const dataKey = verifiedStep(entity, id, () => openSealedDataKey(mine.wrap, team));
  return { recordId: id, dataKey, revision, authorSignKeys, author, wrapWriter };
}

/** Verifies the revision under the author's trusted keys, opens every envelope, and checks the content against the type. */
function openedContent<Content extends object>(
  type: SealedRevisionType<Content>,
  recordId: string,
  revision: SignedRevision,
  authorSignKeys: readonly Uint8Array[],
  dataKey: DataKey,
): Content {
  return verifiedStep(type.entity, recordId, () => contentOfFields(type, verifiedUnderAny(authorSignKeys, (key) => openRevision(revision, key, dataKey))));
}

/**
 * Opens a record: its key (openRecordKey), then the revision verified and its envelopes
 * opened, then the content checked. Raises the record's mark on this device when the
 * record has a version (kept in memory until the session saves its trust store).
 */
export async function openRecord<Content extends object, FieldId extends string>(
  session: SealedRecordSession,
  type: SealedRecordType<Content, FieldId>,
  served: ServedRecord,
  own: OwnScope,
): Promise<OpenedRecord<Content>> {
  const opened = await openRecordKey(session, type, served, own);
  try {
    const content = openedContent(type, opened.recordId, opened.revision, opened.authorSignKeys, opened.dataKey);
    if (served.version !== undefined) session.trust.noteRecord(type.entity, opened.recordId, { version: served.version, revision: opened.revision.version });
    return { recordId: opened.recordId, content, revision: opened.revision.version, author: opened.author, wrapWriter: opened.wrapWriter };
  } finally {
    forgetDataKey(opened.dataKey);
  }
}

/**
 * Opens a record sealed under another record's data key (a timeline event under its
 * case's key): the revision must be this record's and its author's, the author trusted,
 * the signature verify; then the envelopes open.
 */
export async function openRevisionUnderKey<Content extends object>(
  session: SealedRecordSession,
  type: SealedRevisionType<Content>,
  served: { readonly recordId: string; readonly revision: SignedRevision; readonly author: ServedSigner },
  dataKey: DataKey,
): Promise<{ content: Content; author: VerifiedSigner }> {
  const id = served.recordId.toLowerCase();
  assertRevisionOfRecord(type.entity, id, served.revision);
  assertRevisionAuthor(type.entity, id, served.revision, served.author);
  const authorSignKeys = await trustedSignKeys(session, served.author);
  const content = openedContent(type, id, served.revision, authorSignKeys, dataKey);
  return { content, author: verifiedSigner(session, served.author) };
}

/**
 * The record check for a wrap that carries no trusted signature (written before
 * protocol 2, or by a writer nothing vouches for), for `resignWraps` and `rotateTeam`:
 * yes only when the record the wrap names is of this type, is this data key's, and its
 * current revision verifies against an author this device trusts and opens under the
 * key. `fetch` reads the record the wrap names (null when it has no sealed content left).
 */
export function wrapRecordCheck<Content extends object>(
  session: SealedRecordSession,
  type: SealedRevisionType<Content>,
  fetch: (recordId: string) => Promise<ServedRecord | null>,
): WrapRecordCheck {
  return async (wrap, dataKey) => {
    if (wrap.entity !== type.entity) return false;
    const served = await fetch(wrap.recordId);
    if (served === null || served.recordId.toLowerCase() !== wrap.recordId.toLowerCase() || served.keyId.toLowerCase() !== dataKey.keyId) return false;
    const revision = served.revision;
    if (revision.entity !== type.entity || revision.recordId.toLowerCase() !== served.recordId.toLowerCase()) return false;
    try {
      const authorKeys = await trustedSignKeys(session, served.author);
      verifiedUnderAny(authorKeys, (key): Record<string, JsonValue> => openRevision(revision, key, dataKey));
      return true;
    } catch (error) {
      if (error instanceof ProtocolError || error instanceof UnverifiedAuthorError || error instanceof KeyChangedError) return false;
      throw error;
    }
  };
}
