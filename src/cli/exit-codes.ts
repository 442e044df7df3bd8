/**
 * The exit codes of `egide`, the only contract scripts have with it besides `--json`:
 * one table, mapped from HTTP statuses and from the CLI's own failures in one place.
 * It must never turn an error into a message that carries a token or a secret: only the
 * server's problem title, detail, field names and request id are shown.
 */
import { CaseIntegrityError, CaseShreddedError, TeamFingerprintMismatchError } from '../client/case-flow';
import { EgideApiError } from '../client/http-client';
import { MalformedInputError } from '../crypto/protocol-errors';

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
  /** What the server returned does not verify (signature, associated data, key): nothing was shown. */
  Untrusted: 10,
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
 10  the case's content did not verify (signature, associated data or key): nothing shown`;

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
  if (error instanceof TeamFingerprintMismatchError) {
    return {
      exitCode: ExitCode.Refused,
      lines: [`egide: ${error.message}`, 'Check the fingerprint with a member of the receiving embassy over another channel.'],
    };
  }
  if (error instanceof EgideApiError) {
    const { problem } = error;
    if (error.status === 409 && problem.reason === 'shredded') {
      return { exitCode: ExitCode.Shredded, lines: [`egide: the case was shredded: ${problem.detail}`] };
    }
    const lines = [`egide: ${problem.title} (${error.status}): ${problem.detail}`];
    for (const field of problem.errors ?? []) lines.push(`  ${field.field}: ${field.messages.join('; ')}`);
    if (problem.requestId !== undefined) lines.push(`  request id: ${problem.requestId}`);
    const exitCode = exitCodeOfStatus(error.status, usedSession);
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
  // Messages of the SDK and of libsodium name what failed, never a key or a token.
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { exitCode: ExitCode.Unexpected, lines: [`egide: ${message}`] };
}

function isErrorLike(value: unknown): value is Error {
  return typeof value === 'object' && value !== null && typeof (value as Error).message === 'string' && typeof (value as Error).name === 'string';
}
