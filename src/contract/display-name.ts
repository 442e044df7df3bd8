/**
 * The rule for display names (docs/identity.md, "Display names"): what an administrator
 * may type on an invitation, checked by the invitation DTO and normalised by the
 * service before it is stored, and shown by every client (part of the wire contract:
 * src/contract/). One rule, one place.
 *
 * A display name is shown next to e-mails and fingerprints in the very prompts where a
 * member decides whom to trust (`Name <e-mail> (scope)`), so it must not be able to
 * rewrite what is printed around it: control characters (C0, DEL, C1), line and
 * paragraph separators, the bidirectional marks (LRM, RLM, ALM) and the embedding, override and isolate controls
 * are refused. Joiners (U+200C/U+200D) stay allowed: names in several scripts need them.
 */
export const DISPLAY_NAME_MAX_LENGTH = 100;

/** The characters above, as a regular-expression class body: written once, used by the server's rule and by clients that print names. */
export const UNSAFE_NAME_CHARACTERS = '\\p{Cc}\\u061C\\u200E\\u200F\\u2028\\u2029\\u202A-\\u202E\\u2066-\\u2069';

/** Matches a display name free of the characters above (the empty string included). */
export const DISPLAY_NAME_ALLOWED = new RegExp(`^[^${UNSAFE_NAME_CHARACTERS}]*$`, 'u');

/** The OpenAPI description of a display name in responses: the name the administrator gave a member, or null. */
export const DISPLAY_NAME_FIELD = {
  type: String,
  nullable: true,
  maxLength: DISPLAY_NAME_MAX_LENGTH,
  pattern: DISPLAY_NAME_ALLOWED.source,
} as const;

/** NFC, trimmed; a name of nothing but spaces is no name (null). */
export function normaliseDisplayName(value: string | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  const normalised = value.normalize('NFC').trim();
  return normalised === '' ? null : normalised;
}
