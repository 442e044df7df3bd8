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
