/**
 * The one rule for text that reaches the server, wherever it comes from (a JSON body, a
 * query string, a cursor): no NUL (PostgreSQL refuses it in text, so it would surface as
 * a 500) and no lone UTF-16 surrogate (not a character: validators throw on it, and it
 * cannot be stored as UTF-8). Everything else is the DTOs' business.
 */

/** Why `text` is refused, or undefined when it is acceptable. */
export function unacceptableText(text: string): string | undefined {
  if (text.includes(String.fromCharCode(0))) return 'must not contain a NUL character';
  // With the `u` flag a surrogate pair is one code point outside this range: only a lone one matches.
  if (/[\uD800-\uDFFF]/u.test(text)) return 'must not contain a lone UTF-16 surrogate';
  return undefined;
}

/**
 * Control, format (bidi overrides, zero-width), separator and non-characters, and lone
 * surrogates: what can make text display other than it reads.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Noncharacter_Code_Point}]/gu;

/**
 * Client text the server must quote back (a property name in a validation error) with
 * every invisible character written as `\u{…}`: `x\u202Eevil` reads as it is and cannot
 * reorder what a client displays around it.
 */
export function visibleText(text: string): string {
  return text.replace(INVISIBLE, (char) => `\\u{${(char.codePointAt(0) ?? 0).toString(16).toUpperCase()}}`);
}
