/**
 * Normalisation of values before they are blind-indexed, so that the same person typed
 * twice ("José  Pérez", "JOSE PEREZ", "Ｊｏｓé Perez") yields the same index.
 *
 * text:     NFKC, case-folded (upper then lower case, final sigma folded), NFKD with
 *           non-spacing marks removed (diacritics), NFKC again, format characters
 *           removed, every run of whitespace or control characters collapsed to one
 *           space, trimmed; repeated until stable, which makes it idempotent.
 * passport: the text form with every character that is not a letter or a digit removed.
 *
 * This module owns only the mapping from a typed value to the bytes that get indexed.
 * It never keys or hashes (src/client/crypto/blind-index.ts does, with a team key): an
 * index without the key reveals nothing, a normalised value does. A collision only
 * means "maybe the same person"; the client decrypts the candidates to confirm.
 */
import { MalformedInputError } from './protocol-errors';

export type BlindIndexValueKind = 'text' | 'passport';

/** Longest raw value accepted: names and document numbers, not narratives. */
export const MAX_BLIND_INDEX_INPUT_LENGTH = 1024;
const MAX_PASSES = 8;

function foldOnce(value: string): string {
  return value
    .normalize('NFKC')
    .toUpperCase()
    .toLowerCase()
    .replace(/ς/g, 'σ')
    .normalize('NFKD')
    .replace(/\p{Mn}/gu, '')
    .normalize('NFKC')
    .replace(/\p{Cf}/gu, '')
    .replace(/[\s\p{Cc}]+/gu, ' ')
    .trim();
}

function foldText(value: string): string {
  let current = value;
  for (let pass = 0; pass < MAX_PASSES; pass += 1) {
    const next = foldOnce(current);
    if (next === current) return current;
    current = next;
  }
  return current;
}

export function normaliseBlindIndexValue(value: string, kind: BlindIndexValueKind): string {
  if (typeof value !== 'string' || value.length > MAX_BLIND_INDEX_INPUT_LENGTH) {
    throw new MalformedInputError(`a blind-indexed value is a string of at most ${MAX_BLIND_INDEX_INPUT_LENGTH} characters`);
  }
  const text = foldText(value);
  if (kind === 'text') return text;
  // Dropping separators can bring together characters that NFKC then composes (Hangul
  // jamo split by a control character): fold again until nothing changes, so that the
  // normal form is a fixed point (found by the fast-check property).
  let current = text;
  for (let pass = 0; pass < MAX_PASSES; pass += 1) {
    const next = foldText(current.replace(/[^\p{L}\p{N}]/gu, ''));
    if (next === current) return current;
    current = next;
  }
  return current;
}
