/**
 * How the CLI names a member wherever one appears (team status, the grant prompt, the
 * contacts, a case's authors, the trust store's refusals): `Name <e-mail> (scope)`, or
 * `e-mail (scope)` for an account without a display name.
 * The server refuses control characters in display names (docs/identity.md), but what
 * it sends is not trusted here: a character that could move the cursor, end the line or
 * reorder the text around it is shown as `?`, so that a name can never make the prompt
 * around a fingerprint say something else.
 */
import { describeMember } from '../client';
import { UNSAFE_NAME_CHARACTERS } from '../contract/display-name';

export interface NamedMember {
  userId?: string;
  email: string | null;
  displayName: string | null;
  scopeName: string | null;
}

const UNSAFE = new RegExp(`[${UNSAFE_NAME_CHARACTERS}]`, 'gu');

/** Text from the server (or pinned from it) made safe to print: see above. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, '?');
}

/** The SDK's rendering (describeMember, also what the trust store's errors carry), made terminal-safe. */
export function memberLabel(member: NamedMember): string {
  return terminalSafe(describeMember({ userId: member.userId ?? '?', ...member }));
}
