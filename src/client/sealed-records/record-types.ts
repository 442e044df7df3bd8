/**
 * What a sealed record type declares once, so that the kit seals and opens every record
 * of that type the same way: its entity (bound into every envelope's associated data and
 * into the revision and wrap signatures, docs/protocol.md §5.1, §5.8, §5.13), its
 * data-key compartment (§4.5), the sealed fields a revision may carry and must carry, the
 * content property each field holds, what a reader accepts in a field (§5.15), and which
 * values are blind-indexed (§5.9).
 *
 * This module owns the mapping between typed content and sealed fields and the field
 * rules (required, allowed). It must never touch a key or decide whom to trust, never
 * seal a property the type does not declare, and never turn a field it does not know into
 * content (a reader ignores such a field: a later writer may have added it).
 */
import type { BlindIndexValueKind } from '../../crypto/blind-index-normalisation';
import { MalformedInputError } from '../../crypto/protocol-errors';
import type { JsonValue } from '../crypto/field-envelopes';

/** One sealed field of a record type. */
export interface SealedFieldRule {
  /** The field's name on the wire, in the revision's envelope list and in the associated data. */
  readonly field: string;
  /** Every revision carries it; an update cannot remove it. */
  readonly required: boolean;
  /**
   * What a reader accepts in this field beyond "any JSON value" (§5.15). A value it
   * refuses makes the whole record malformed: nothing of it is returned.
   */
  readonly accepts?: (value: JsonValue) => boolean;
  /** How a refusal names what `accepts` expects, e.g. "a defender identity". */
  readonly expected?: string;
}

/** Every content property of a record type, with its sealed field. */
export type SealedFields<Content> = { readonly [Property in keyof Content]-?: SealedFieldRule };

/**
 * Sealed content as one signed revision (§5.8): a record of its own (a case), or a record
 * sealed under another record's data key (a case's timeline event).
 */
export interface SealedRevisionType<Content extends object> {
  /** The entity name, e.g. `case`, `case_event`, `visa_request`. */
  readonly entity: string;
  /** In the order envelopes are written (the signed list is sorted anyway, §5.8). */
  readonly fields: SealedFields<Content>;
}

/** One value to index: which index it goes to and how it is normalised (§5.9). */
export interface BlindIndexValue<FieldId extends string> {
  readonly fieldId: FieldId;
  readonly kind: BlindIndexValueKind;
  readonly value: string;
}

/** What a record type blind-indexes, under its own scope's current blind-index key. */
export interface BlindIndexRule<Content, FieldId extends string> {
  /** The content properties the values come from: an update that changes one re-indexes the record. */
  readonly sources: readonly (keyof Content)[];
  /** The values to index, in order (the first of two equal indexes is kept). */
  readonly values: (content: Content) => readonly BlindIndexValue<FieldId>[];
  /** How many indexes a record may carry; more is refused rather than silently dropped. */
  readonly max: number;
  /** The refusal's message when there are more (MalformedInputError). */
  readonly tooMany: string;
}

/**
 * A record type with a data key of its own: sealed to the current team key of every
 * scope that must read it, each wrap signed for the record (§5.5, §5.13).
 */
export interface SealedRecordType<Content extends object, FieldId extends string = string> extends SealedRevisionType<Content> {
  /** The data-key compartment of §4.5 (`case`, `visa`, `brief`, `refuge`): named in messages and documentation. */
  readonly compartment: string;
  readonly blindIndexes?: BlindIndexRule<Content, FieldId>;
}

/** Changes to sealed content: a property left out keeps its envelope, `null` removes an optional field. */
export type ContentChanges<Content> = { [Property in keyof Content]?: Content[Property] | null };

/** The declared content properties of a type, in declaration order. */
export function contentProperties<Content extends object>(type: SealedRevisionType<Content>): (keyof Content & string)[] {
  return Object.keys(type.fields) as (keyof Content & string)[];
}

/** The JSON form of a content value: what JSON.stringify writes (undefined members dropped). */
export function toJsonValue(value: unknown): JsonValue {
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}

/** A property of `content` (or of changes to it) that the type does not declare: refused, never dropped silently. */
function assertDeclared<Content extends object>(type: SealedRevisionType<Content>, content: object): void {
  for (const [property, value] of Object.entries(content)) {
    if (value !== undefined && !Object.prototype.hasOwnProperty.call(type.fields, property)) {
      throw new MalformedInputError(`a ${type.entity} has no sealed field ${property}`);
    }
  }
}

/** Content → the sealed fields of a whole revision (every required field present). */
export function fieldsOfContent<Content extends object>(type: SealedRevisionType<Content>, content: Content): Record<string, JsonValue> {
  assertDeclared(type, content);
  const fields: Record<string, JsonValue> = {};
  for (const property of contentProperties(type)) {
    const rule = type.fields[property];
    const value = content[property];
    // Absent is absent; null is a JSON value like any other (a timeline event's body may be null).
    if (value === undefined) {
      if (rule.required) throw new MalformedInputError(`${property} is required`);
      continue;
    }
    fields[rule.field] = toJsonValue(value);
  }
  return fields;
}

/** Checks changes against the type: declared properties only, and no required field removed. */
export function assertContentChanges<Content extends object>(type: SealedRevisionType<Content>, changes: ContentChanges<Content>): void {
  assertDeclared(type, changes);
  for (const property of contentProperties(type)) {
    if (changes[property] === null && type.fields[property].required) throw new MalformedInputError(`${property} cannot be removed`);
  }
}

/**
 * Opened fields → typed content, as a reader accepts it: every required field present and
 * every field's value accepted by its rule (MalformedInputError otherwise); fields the
 * type does not declare are left out.
 */
export function contentOfFields<Content extends object>(type: SealedRevisionType<Content>, fields: Readonly<Record<string, JsonValue>>): Content {
  const content: Record<string, JsonValue> = {};
  for (const property of contentProperties(type)) {
    const rule = type.fields[property];
    const value = Object.prototype.hasOwnProperty.call(fields, rule.field) ? fields[rule.field] : undefined;
    if (value === undefined) {
      if (rule.required) throw new MalformedInputError(`the ${rule.field} field is missing`);
      continue;
    }
    if (rule.accepts !== undefined && !rule.accepts(value)) {
      throw new MalformedInputError(`the ${rule.field} field is not ${rule.expected ?? 'what this record type holds'}`);
    }
    content[property] = value;
  }
  return content as unknown as Content;
}
