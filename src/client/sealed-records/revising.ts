/**
 * Sealing a new revision of an existing record with the record's data key (docs/protocol.md
 * §8, "Writing a record"): the current revision is verified and opened first — what is
 * kept is signed again as the author's own, so it must check out —, the changed fields
 * are sealed with fresh nonces, the unchanged ones keep their envelopes, a removed
 * optional field loses its envelope, and the whole list is signed as the next revision.
 * Blind indexes are recomputed when a change touches a value they come from.
 *
 * This module must never sign envelopes it has not verified under a trusted author's key,
 * never remove a required field, and never erase the data key it is lent (its caller
 * opened it and erases it).
 */
import { sealField, type JsonValue } from '../crypto/field-envelopes';
import { openRevision } from '../crypto/record-revisions';
import { signRevision } from '../crypto/revision-signatures';
import { verifiedUnderAny } from '../trusted-keys';
import type { OpenedRecordKey } from './opening';
import { verifiedStep } from './record-errors';
import { assertContentChanges, contentOfFields, toJsonValue, type ContentChanges, type SealedRecordType } from './record-types';
import { recordBlindIndexes, revisionBody, type BlindIndexEntry, type RecordAuthor, type SignedRevisionBody } from './sealing';

export interface NextRevision<FieldId extends string> {
  readonly revision: SignedRevisionBody;
  /** The record's new blind indexes (the whole set) when a change touched what they come from; else undefined. */
  readonly blindIndexes: BlindIndexEntry<FieldId>[] | undefined;
}

/**
 * The next revision of `opened`'s record with `changes` applied, signed by `author`.
 * `indexWith` is the record's own scope's current keys, needed when the type
 * blind-indexes and a change touches an indexed value.
 */
export function sealNextRevision<Content extends object, FieldId extends string>(
  author: RecordAuthor,
  type: SealedRecordType<Content, FieldId>,
  opened: OpenedRecordKey,
  changes: ContentChanges<Content>,
  indexWith?: { readonly blindIndexKey: Uint8Array },
): NextRevision<FieldId> {
  assertContentChanges(type, changes);
  const { entity } = type;
  const recordId = opened.recordId;
  const current = opened.revision;
  // Verify what we keep before signing it as ours.
  const fields: Record<string, JsonValue> = {
    ...verifiedStep(entity, recordId, () => verifiedUnderAny(opened.authorSignKeys, (key) => openRevision(current, key, opened.dataKey))),
  };
  const envelopes = new Map(current.envelopes.map((entry) => [entry.field, entry.envelope]));
  for (const property of Object.keys(changes) as (keyof Content & string)[]) {
    const field = type.fields[property].field;
    const value = changes[property];
    if (value === null) {
      envelopes.delete(field);
      delete fields[field];
    } else if (value !== undefined) {
      const json = toJsonValue(value);
      envelopes.set(field, sealField(json, { entity, recordId, field }, opened.dataKey));
      fields[field] = json;
    }
  }
  const revision = revisionBody(
    signRevision(
      {
        entity,
        recordId,
        // The next of the signed revision, never of a clear counter the server reports.
        version: current.version + 1,
        authorUserId: author.userId,
        envelopes: [...envelopes].map(([field, envelope]) => ({ field, envelope })),
      },
      author.signSecretKey,
    ),
  );
  const rule = type.blindIndexes;
  const reindex = rule !== undefined && rule.sources.some((property) => changes[property] !== undefined && changes[property] !== null);
  if (!reindex) return { revision, blindIndexes: undefined };
  if (indexWith === undefined) throw new Error(`a ${entity} is blind-indexed: say under which scope's key`);
  return { revision, blindIndexes: recordBlindIndexes(rule, contentOfFields(type, fields), indexWith) };
}
