/**
 * How the CLI names a member wherever one appears (team status, the grant prompt):
 * `Name <e-mail> (scope)`, or `e-mail (scope)` for an account without a display name.
 * The server refuses control characters in display names (docs/identity.md), but what
 * it sends is not trusted here: a character that could move the cursor, end the line or
 * reorder the text around it is shown as `?`, so that a name can never make the prompt
 * around a fingerprint say something else.
 */
export interface NamedMember {
  email: string;
  displayName: string | null;
  scopeName: string;
}

const UNSAFE = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/gu;

function shown(text: string): string {
  return text.replace(UNSAFE, '?');
}

export function memberLabel(member: NamedMember): string {
  const who = member.displayName === null || member.displayName === '' ? member.email : `${member.displayName} <${member.email}>`;
  return shown(`${who} (${member.scopeName})`);
}
