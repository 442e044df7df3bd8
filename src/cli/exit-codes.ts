/**
 * The exit codes of `egide`, the only contract scripts have with it besides `--json`:
 * one table, mapped from HTTP statuses and from the CLI's own failures in one place.
 * It must never turn an error into a message that carries a token or a secret: only the
 * server's problem title, detail, field names and request id are shown.
 */
import {
  CaseIntegrityError,
  CaseShreddedError,
  EgideApiError,
  isUuid,
  KeyChangedError,
  MalformedInputError,
  NoTeamGrantError,
  ProtocolError,
  RollbackError,
  TeamFingerprintMismatchError,
  UnverifiedAuthorError,
  userKeyFingerprint,
  WeakPasswordError,
} from '../client';
import { terminalSafe } from './member-label';

export const ExitCode = {
  Ok: 0,
  Unexpected: 1,
  Usage: 2,
  NotSignedIn: 3,
  Refused: 4,
  NotFound: 5,
  Conflict: 6,
  InvalidInput: 7,
  RateLimited: 8,
  /** The case was shredded: its sealed content is gone for everyone, for good. */
  Shredded: 9,
  /**
   * What the server returned does not verify against what this device trusts (signature,
   * associated data, key, a changed or unvouched member key, a rollback): nothing was shown.
   */
  Untrusted: 10,
  /** The account holds no grant of its scope's current team key yet (403 team-grant-required). */
  NoTeamGrant: 11,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The table printed by `egide --help` and kept in docs/cli.md. */
export const EXIT_CODE_HELP = `Exit codes:
  0  ok
  1  unexpected error (server unreachable, server error, bug)
  2  usage error (unknown command or option, missing argument, no terminal to prompt on)
  3  not signed in, or the session expired or was revoked (log in again)
  4  refused: wrong credentials (401) or not allowed (403), or a fingerprint that does not match
  5  not found (404)
  6  conflict (409)
  7  invalid input (400, 422)
  8  rate-limited (429)
  9  the case was shredded: its sealed content no longer exists (reads and writes alike)
 10  what the server returned did not verify against this device's trust store (a member's key
     changed, an author nothing vouches for, a bad signature, associated data or key, an older
     state than already seen): nothing of it was shown
 11  no grant of your scope's current team key yet: a member must run \`egide team grant\``;

/** A failure the CLI itself decides on, with the code scripts will see. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    /** What to do next, e.g. how to sign in. */
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const TEAM_GRANT_REQUIRED_TYPE = 'urn:egide:problem:team-grant-required';
/** The password and the code were right, but the code had just been used (docs/identity.md). */
export const TOTP_CODE_USED_TYPE = 'urn:egide:problem:totp-code-used';

/**
 * The server refused a record route (403 team-grant-required): the account is not, or
 * no longer, a member of its scope's current team. Carries the user's own fingerprint,
 * computed from the keys this client holds (not the server's copy), for the user to read
 * out to a member who will grant.
 */
export class TeamGrantRequiredError extends Error {
  constructor(
    readonly scopeId: string | null,
    /** The scope's current generation; null when the scope has no team yet. */
    readonly generation: number | null,
    readonly ownFingerprint: string,
    readonly requestId: string | undefined,
  ) {
    super(
      generation === null
        ? `your scope (${scopeId ?? '?'}) has no team key yet`
        : `your account holds no grant of your scope's team key yet (scope ${scopeId ?? '?'}, generation ${generation})`,
    );
    this.name = 'TeamGrantRequiredError';
  }
}

/**
 * Turns a 403 team-grant-required into a TeamGrantRequiredError naming the user's own
 * fingerprint (from the session's public keys); any other error is returned unchanged.
 * Called by withSession while the session's keys are in memory.
 */
export function withOwnFingerprint(error: unknown, keys: { boxPublicKey: Uint8Array; signPublicKey: Uint8Array }): unknown {
  // The same situation found by the client first: no grant of the current generation to open.
  if (error instanceof NoTeamGrantError) {
    return new TeamGrantRequiredError(error.scopeId, error.generation, userKeyFingerprint(keys.boxPublicKey, keys.signPublicKey), undefined);
  }
  if (!(error instanceof EgideApiError) || error.status !== 403 || error.problem.type !== TEAM_GRANT_REQUIRED_TYPE) return error;
  const { scopeId, generation, requestId } = error.problem;
  return new TeamGrantRequiredError(
    typeof scopeId === 'string' ? scopeId : null,
    typeof generation === 'number' ? generation : null,
    userKeyFingerprint(keys.boxPublicKey, keys.signPublicKey),
    requestId,
  );
}

/**
 * A 401 on a command that used the cached session means the session is over (expired,
 * revoked by logout-everywhere, a password change, a disable): the script must log in
 * again, which is what code 3 says. Elsewhere a 401 is a refused credential.
 */
export function exitCodeOfStatus(status: number, usedSession: boolean): ExitCode {
  if (status === 401) return usedSession ? ExitCode.NotSignedIn : ExitCode.Refused;
  if (status === 403) return ExitCode.Refused;
  if (status === 404) return ExitCode.NotFound;
  if (status === 409) return ExitCode.Conflict;
  if (status === 400 || status === 422) return ExitCode.InvalidInput;
  if (status === 429) return ExitCode.RateLimited;
  return ExitCode.Unexpected;
}

export interface ReportedError {
  exitCode: ExitCode;
  lines: string[];
}

/** What stderr shows for an error, and the code to exit with. */
export function reportError(error: unknown, usedSession: boolean): ReportedError {
  if (error instanceof CliError) {
    return { exitCode: error.exitCode, lines: [`egide: ${error.message}`, ...(error.hint === undefined ? [] : [error.hint])] };
  }
  if (error instanceof TeamGrantRequiredError) {
    const lines = [`egide: ${error.message}.`];
    if (error.generation === null) {
      lines.push(
        'Its first member creates it with `egide team create`, then grants it to the others.',
        'Once the team exists, ask a member who holds the key to run `egide team grant` for you, and read them',
        'your fingerprint out of band (by phone or in person):',
        `  ${error.ownFingerprint}`,
      );
    } else {
      lines.push(
        'Ask a member of your scope who holds it to run `egide team grant` for you, and read them your',
        'fingerprint out of band (by phone or in person, not over the channel being checked):',
        `  ${error.ownFingerprint}`,
        'Until then you cannot read or write its records; `egide team status` shows who holds the key.',
      );
    }
    if (error.requestId !== undefined) lines.push(`  request id: ${error.requestId}`);
    return { exitCode: ExitCode.NoTeamGrant, lines };
  }
  if (error instanceof CaseShreddedError) {
    return { exitCode: ExitCode.Shredded, lines: [`egide: ${error.message}`] };
  }
  if (error instanceof CaseIntegrityError) {
    // Nothing of the case is printed: content that does not verify may be a forgery.
    return {
      exitCode: ExitCode.Untrusted,
      lines: [`egide: ${error.message} (${error.reason})`, 'Nothing of it was shown. Report this to your administrator: the server returned content it cannot vouch for.'],
    };
  }
  if (error instanceof KeyChangedError) {
    // Every string here came from the server at some point: shown terminal-safe, and an id
    // goes into a suggested command only when it is a UUID.
    const id = isUuid(error.subject.id) ? error.subject.id.toLowerCase() : 'USER_ID';
    const verify =
      error.subject.kind === 'member'
        ? `Only if they read you the new one themselves (a new device, a re-enrolment), run \`egide contacts verify ${id}\` and type what they read.`
        : 'Confirm the team fingerprint with a member of that scope over another channel before sealing anything to it.';
    return {
      exitCode: ExitCode.Untrusted,
      lines: [
        `egide: the key of ${terminalSafe(error.subject.label)} changed.`,
        `  pinned on this device: ${terminalSafe(error.pinnedFingerprint)}`,
        `  served now:            ${terminalSafe(error.servedFingerprint)}`,
        'Nothing of what it signed was shown. Compare the new fingerprint with them by phone or in person.',
        verify,
      ],
    };
  }
  if (error instanceof UnverifiedAuthorError) {
    const fingerprint = terminalSafe(error.servedFingerprint ?? 'unknown');
    const id = isUuid(error.subject.id) ? error.subject.id.toLowerCase() : 'USER_ID';
    const verify =
      error.subject.kind === 'member'
        ? `Ask them to read you their fingerprint by phone or in person; if it is this one, run \`egide contacts verify ${id}\` and type what they read.`
        : 'Ask a member of that scope to read you its team fingerprint over another channel, and pass it with --team-fingerprint.';
    return {
      exitCode: ExitCode.Untrusted,
      lines: [`egide: nothing on this device vouches for the key of ${terminalSafe(error.subject.label)} (fingerprint ${fingerprint}).`, 'Nothing of what it signed was shown.', verify],
    };
  }
  if (error instanceof RollbackError) {
    return {
      exitCode: ExitCode.Untrusted,
      lines: [`egide: ${terminalSafe(error.message)}.`, 'Nothing of it was shown. Report this to your administrator: the server may be replaying an older state.'],
    };
  }
  if (error instanceof TeamFingerprintMismatchError) {
    return {
      exitCode: ExitCode.Refused,
      lines: [`egide: ${error.message}`, 'Check the fingerprint with a member of the receiving embassy over another channel.'],
    };
  }
  if (error instanceof WeakPasswordError) {
    // The SDK refused the password before sending anything.
    return { exitCode: ExitCode.InvalidInput, lines: [`egide: ${error.message}`] };
  }
  if (error instanceof EgideApiError) {
    const { problem } = error;
    if (error.status === 409 && problem.reason === 'shredded') {
      return { exitCode: ExitCode.Shredded, lines: [`egide: the case was shredded: ${problem.detail}`] };
    }
    const lines = [`egide: ${problem.title} (${error.status}): ${problem.detail}`];
    for (const field of problem.errors ?? []) lines.push(`  ${field.field}: ${field.messages.join('; ')}`);
    if (problem.type === TOTP_CODE_USED_TYPE) lines.push('Wait until your authenticator shows the next code (a new one every 30 seconds), then try again with it.');
    if (problem.requestId !== undefined) lines.push(`  request id: ${problem.requestId}`);
    // Without the session's keys (withOwnFingerprint) there is no fingerprint to show, but the code is the same.
    const exitCode = problem.type === TEAM_GRANT_REQUIRED_TYPE ? ExitCode.NoTeamGrant : exitCodeOfStatus(error.status, usedSession);
    if (exitCode === ExitCode.NotSignedIn) lines.push('Your session is no longer valid: sign in again with `egide login`.');
    return { exitCode, lines };
  }
  // Checked by name, not instanceof: fetch's TypeError may come from another realm.
  if (isErrorLike(error) && error.name === 'TypeError' && error.message === 'fetch failed') {
    // undici hides the reason (ECONNREFUSED, DNS, TLS) in `cause`; it names no secret.
    const reason = isErrorLike(error.cause) ? `: ${error.cause.message}` : '';
    return { exitCode: ExitCode.Unexpected, lines: [`egide: cannot reach the server${reason}`] };
  }
  if (error instanceof MalformedInputError) {
    // Something typed (a recovery key, a key) is not in the expected format.
    return { exitCode: ExitCode.InvalidInput, lines: [`egide: ${error.message}`] };
  }
  if (error instanceof ProtocolError) {
    // A signature, a seal or a parameter the server sent that does not check out.
    return {
      exitCode: ExitCode.Untrusted,
      lines: [
        `egide: what the server returned does not verify (${error.code}): ${terminalSafe(error.message)}`,
        'Nothing of it was shown. Report this to your administrator: the server returned material it cannot vouch for.',
      ],
    };
  }
  // Messages of the SDK and of libsodium name what failed, never a key or a token.
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { exitCode: ExitCode.Unexpected, lines: [`egide: ${message}`] };
}

function isErrorLike(value: unknown): value is Error {
  return typeof value === 'object' && value !== null && typeof (value as Error).message === 'string' && typeof (value as Error).name === 'string';
}
