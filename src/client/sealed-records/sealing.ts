/**
 * Sealing records, for every record type: a new record gets a fresh data key, one
 * envelope per sealed field with the protocol's associated data (docs/protocol.md §5.1),
 * the author's signature over the whole revision (§5.8), a signed wrap of the key to the
 * current team key of every scope that must read it (§5.5, §5.13) and its blind indexes
 * under its own scope's current key (§5.9); a record sealed under another record's key (a
 * timeline event) gets envelopes and a signature only. `sendNewRecord` sends a new record
 * and, on a stale-generation answer, re-wraps and re-indexes it and sends it once more
 * (stale-generation.ts).
 *
 * This module must never send or return a data key or a plaintext (the data key it
 * generates is erased once the record is sent, or handed to the caller who must erase
 * it), and never seal to a team key that a ReaderScope did not decide on.
 */
import type { SignedDataKeyWrap } from '../../crypto/data-key-wrap-payload';
import { normaliseBlindIndexValue, type BlindIndexValueKind } from '../../crypto/blind-index-normalisation';
import { MalformedInputError } from '../../crypto/protocol-errors';
import type { SignedRevision } from '../../crypto/revision-payload';
import { blindIndex } from '../crypto/blind-index';
import { signDataKeyWrap } from '../crypto/data-key-wrap-signatures';
import { generateDataKey, sealDataKeyToTeam, type DataKey } from '../crypto/data-keys';
import { randomUuid } from '../crypto/random-source';
import { sealRevision } from '../crypto/record-revisions';
import type { TeamPublicKey } from '../crypto/team-keys';
import type { OwnScope, ReaderScope } from './reader-scopes';
import { fieldsOfContent, type BlindIndexRule, type SealedRecordType, type SealedRevisionType } from './record-types';
import { retryOnStaleGeneration } from './stale-generation';

/** Who signs: the member's id and Ed25519 secret key. */
export interface RecordAuthor {
  readonly userId: string;
  readonly signSecretKey: Uint8Array;
}

/** The signed-in member as the author and writer of what they seal. */
export function authorOf(session: { readonly user: { readonly id: string }; readonly keys: { readonly signSecretKey: Uint8Array } }): RecordAuthor {
  return { userId: session.user.id, signSecretKey: session.keys.signSecretKey };
}

/** A signed revision as request bodies carry it (the protocol type's arrays are readonly). */
export interface SignedRevisionBody {
  entity: string;
  recordId: string;
  version: number;
  authorUserId: string;
  envelopes: { field: string; envelope: string }[];
  signature: string;
}

/** The wire form of a signed revision. */
export function revisionBody(revision: SignedRevision): SignedRevisionBody {
  return { ...revision, envelopes: revision.envelopes.map((entry) => ({ field: entry.field, envelope: entry.envelope })) };
}

/** One blind index as request bodies carry it. */
export interface BlindIndexEntry<FieldId extends string> {
  fieldId: FieldId;
  value: string;
}

/** Erases a data key once nothing more is sealed or opened with it. */
export function forgetDataKey(dataKey: DataKey): void {
  dataKey.key.fill(0);
}

/**
 * The blind indexes of `content` under a team's blind-index key (§5.9): each value in the
 * rule's order, skipped when nothing is left after normalisation (it would match every
 * other such value) or when the same (fieldId, index) was already produced; more than the
 * rule's maximum is refused (MalformedInputError), never cut short.
 */
export function recordBlindIndexes<Content, FieldId extends string>(
  rule: BlindIndexRule<Content, FieldId>,
  content: Content,
  team: { readonly blindIndexKey: Uint8Array },
): BlindIndexEntry<FieldId>[] {
  const seen = new Set<string>();
  const indexes: BlindIndexEntry<FieldId>[] = [];
  for (const entry of rule.values(content)) {
    if (normaliseBlindIndexValue(entry.value, entry.kind) === '') continue;
    const value = blindIndex(entry.value, entry.kind, entry.fieldId, team.blindIndexKey);
    if (seen.has(`${entry.fieldId}:${value}`)) continue;
    seen.add(`${entry.fieldId}:${value}`);
    indexes.push({ fieldId: entry.fieldId, value });
  }
  if (indexes.length > rule.max) throw new MalformedInputError(rule.tooMany);
  return indexes;
}

/** The index a search sends for one probe value, or undefined when nothing is left to index (it would match nothing real). */
export function blindIndexProbe(fieldId: string, kind: BlindIndexValueKind, value: string, team: { readonly blindIndexKey: Uint8Array }): string | undefined {
  if (normaliseBlindIndexValue(value, kind) === '') return undefined;
  return blindIndex(value, kind, fieldId, team.blindIndexKey);
}

/** The data key sealed to one reader scope's team key and signed by its writer for this record (§5.13). */
export function wrapDataKey(author: RecordAuthor, entity: string, recordId: string, dataKey: DataKey, reader: TeamPublicKey): SignedDataKeyWrap {
  return signDataKeyWrap(sealDataKeyToTeam(dataKey, reader), { entity, recordId, writerUserId: author.userId }, author.signSecretKey);
}

/** A new record, sealed, as the server takes it (the record type's own request adds its clear fields). */
export interface SealedNewRecord<FieldId extends string> {
  readonly recordId: string;
  readonly keyId: string;
  readonly revision: SignedRevisionBody;
  /** One per reader scope, in the order the scopes were given. */
  readonly wraps: readonly SignedDataKeyWrap[];
  /** Empty when the type indexes nothing. */
  readonly blindIndexes: BlindIndexEntry<FieldId>[];
}

export interface NewRecordInput<Content> {
  /** Chosen by the client (bound into every envelope and signature); defaults to a fresh UUID v4. */
  readonly recordId?: string;
  readonly content: Content;
  /** The current team key of every scope that must read the record. */
  readonly readers: readonly TeamPublicKey[];
  /** The record's own scope's current keys, when the type blind-indexes. */
  readonly indexWith?: { readonly blindIndexKey: Uint8Array };
}

function indexesOf<Content extends object, FieldId extends string>(
  type: SealedRecordType<Content, FieldId>,
  content: Content,
  indexWith: { readonly blindIndexKey: Uint8Array } | undefined,
): BlindIndexEntry<FieldId>[] {
  if (type.blindIndexes === undefined) return [];
  if (indexWith === undefined) throw new Error(`a ${type.entity} is blind-indexed: say under which scope's key`);
  return recordBlindIndexes(type.blindIndexes, content, indexWith);
}

/**
 * Seals a new record: fresh data key, every field, the revision (version 1) signed by
 * `author`, a signed wrap to each reader, the blind indexes. Returns the data key too:
 * the caller erases it (forgetDataKey) once the record is sent.
 */
export function sealNewRecord<Content extends object, FieldId extends string>(
  author: RecordAuthor,
  type: SealedRecordType<Content, FieldId>,
  input: NewRecordInput<Content>,
): { sealed: SealedNewRecord<FieldId>; dataKey: DataKey } {
  if (input.readers.length === 0) throw new Error(`a ${type.entity} must be sealed to at least one scope`);
  const recordId = (input.recordId ?? randomUuid()).toLowerCase();
  const fields = fieldsOfContent(type, input.content);
  const dataKey = generateDataKey();
  try {
    const revision = revisionBody(sealRevision({ entity: type.entity, recordId, version: 1, authorUserId: author.userId }, fields, dataKey, author.signSecretKey));
    const sealed: SealedNewRecord<FieldId> = {
      recordId,
      keyId: dataKey.keyId,
      revision,
      wraps: input.readers.map((reader) => wrapDataKey(author, type.entity, recordId, dataKey, reader)),
      blindIndexes: indexesOf(type, input.content, input.indexWith),
    };
    return { sealed, dataKey };
  } catch (error) {
    forgetDataKey(dataKey);
    throw error;
  }
}

/**
 * The same record for the readers' refreshed keys: new wraps and blind indexes, the same
 * data key, envelopes and revision signature (none of which depends on a generation).
 */
export function resealForReaders<Content extends object, FieldId extends string>(
  author: RecordAuthor,
  type: SealedRecordType<Content, FieldId>,
  sealed: SealedNewRecord<FieldId>,
  dataKey: DataKey,
  input: Pick<NewRecordInput<Content>, 'content' | 'readers' | 'indexWith'>,
): SealedNewRecord<FieldId> {
  return {
    ...sealed,
    wraps: input.readers.map((reader) => wrapDataKey(author, type.entity, sealed.recordId, dataKey, reader)),
    blindIndexes: indexesOf(type, input.content, input.indexWith),
  };
}

/**
 * Seals a new record to every reader scope's current key and sends it with `send`; if
 * the server answers stale-generation, refreshes the scopes, re-wraps and re-indexes
 * under the refreshed keys and sends once more (retryOnStaleGeneration). `indexedBy` is
 * the record's own scope, one of `readers`, when the type blind-indexes. The data key
 * is erased when this returns.
 */
export async function sendNewRecord<Content extends object, FieldId extends string, Result>(
  author: RecordAuthor,
  type: SealedRecordType<Content, FieldId>,
  input: { readonly recordId?: string; readonly content: Content; readonly readers: readonly ReaderScope[]; readonly indexedBy?: OwnScope },
  send: (sealed: SealedNewRecord<FieldId>) => Promise<Result>,
): Promise<Result> {
  if (input.indexedBy !== undefined && !input.readers.includes(input.indexedBy)) {
    throw new Error(`a ${type.entity} is indexed under the key of a scope that reads it`);
  }
  const current = (): Pick<NewRecordInput<Content>, 'content' | 'readers' | 'indexWith'> => ({
    content: input.content,
    readers: input.readers.map((reader) => reader.current),
    indexWith: input.indexedBy?.current,
  });
  const { sealed, dataKey } = sealNewRecord(author, type, { recordId: input.recordId, ...current() });
  try {
    return await retryOnStaleGeneration(input.readers, (round) => send(round === 0 ? sealed : resealForReaders(author, type, sealed, dataKey, current())));
  } finally {
    forgetDataKey(dataKey);
  }
}

/**
 * A record sealed under another record's data key (a case's timeline event: entity
 * `case_event`, sealed under the case's key, version 1): its envelopes and signature.
 */
export function sealRevisionUnderKey<Content extends object>(
  author: RecordAuthor,
  type: SealedRevisionType<Content>,
  revision: { readonly recordId: string; readonly version: number; readonly content: Content },
  dataKey: DataKey,
): SignedRevisionBody {
  const fields = fieldsOfContent(type, revision.content);
  return revisionBody(
    sealRevision(
      { entity: type.entity, recordId: revision.recordId.toLowerCase(), version: revision.version, authorUserId: author.userId },
      fields,
      dataKey,
      author.signSecretKey,
    ),
  );
}
