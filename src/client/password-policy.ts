/**
 * The password rule every Egide client applies before a password is used for anything:
 * setup, enrolment, a password change and a recovery reset. Only the client ever sees a
 * password (the server receives an Argon2id output), so the server cannot enforce this:
 * the SDK does, in every flow that chooses a password, and the CLI asks the same function
 * first so that it can say why and ask again.
 *
 * A password is judged as the key derivation sees it: NFKC-normalised (password-keys.ts).
 * It is acceptable when that text
 *   1. has at least 12 code points (not UTF-16 units, not bytes: "é" counts once, an emoji
 *      once);
 *   2. is not, ignoring case, one of the 49,233 most common passwords of the breach
 *      corpora that @zxcvbn-ts/language-common bundles;
 *   3. is estimated by zxcvbn (@zxcvbn-ts/core, with the same bundled lists, keyboard
 *      layouts, and the e-mail address and CONTEXT_WORDS as words to avoid) to need at
 *      least 10^10 guesses (zxcvbn's score 4).
 * docs/identity.md ("Passwords") explains the choice. Browser-safe: no `node:*`, no Buffer;
 * the lists (about 0.4 MB) load on the first call, not at import.
 */
import { ZxcvbnFactory, type ZxcvbnResult } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';

export const PASSWORD_MIN_CODE_POINTS = 12;
/** zxcvbn's score 4: an estimated 10^10 guesses or more. */
export const PASSWORD_MIN_GUESSES_LOG10 = 10;

export type PasswordProblem = 'too-short' | 'common-password' | 'guessable';

export interface PasswordVerdict {
  readonly acceptable: boolean;
  readonly problems: readonly PasswordProblem[];
  /** Code points of the NFKC form. */
  readonly length: number;
  /** log10 of zxcvbn's estimate of the guesses needed. */
  readonly guessesLog10: number;
  /** Why it is guessable, in words (empty when nothing specific is known). */
  readonly reasons: readonly string[];
}

/** What the password must not lean on: the account's e-mail address and its parts. */
export interface PasswordContext {
  email?: string;
}

/** A chosen password that the rule refuses; no request was sent. */
export class WeakPasswordError extends Error {
  constructor(readonly verdict: PasswordVerdict) {
    super(`the new password is too weak: ${describePasswordProblems(verdict).join('; ')}`);
    this.name = 'WeakPasswordError';
  }
}

// zxcvbn's warning keys (it returns keys when given no translations), in our words.
const WARNINGS: Record<string, string> = {
  straightRow: 'it contains a straight row of keys',
  keyPattern: 'it contains a keyboard pattern',
  simpleRepeat: 'it repeats characters (like "aaa")',
  extendedRepeat: 'it repeats a group of characters (like "abcabc")',
  sequences: 'it contains a sequence (like "abc" or "6543")',
  recentYears: 'it contains a recent year',
  dates: 'it contains a date',
  topTen: 'it is one of the ten most used passwords',
  topHundred: 'it is one of the hundred most used passwords',
  common: 'it is a commonly used password',
  similarToCommon: 'it is close to a commonly used password',
  wordByItself: 'a single word is easy to guess',
  namesByThemselves: 'names on their own are easy to guess',
  commonNames: 'it is built on a common name',
  userInputs: 'it contains your e-mail address, a part of it, or a word of this service (like "egide" or "embassy")',
};

let estimator: ZxcvbnFactory | undefined;
let commonPasswords: ReadonlySet<string> | undefined;

function zxcvbn(): ZxcvbnFactory {
  // Levenshtein matching stays off: it multiplies the time of a check by ten (about 1 s)
  // and the exact list check below already refuses the listed passwords themselves.
  estimator ??= new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs });
  return estimator;
}

function isCommonPassword(normalised: string): boolean {
  commonPasswords ??= new Set(dictionary['passwords-common'].map((entry) => entry.toLowerCase()));
  return commonPasswords.has(normalised.toLowerCase());
}

/**
 * Words of this service that a password must not lean on (ASVS 5.0 V6.1.2): zxcvbn counts
 * them as known, like the e-mail address.
 */
export const CONTEXT_WORDS: readonly string[] = [
  'egide',
  'embassy',
  'embassies',
  'ambassade',
  'embajada',
  'botschaft',
  'consulate',
  'refuge',
  'shelter',
  'defender',
  'defenders',
  'coordinator',
  'organisation',
  // The one place the American spelling stays: a word people type into passwords, not ours.
  'organization',
];

/** The e-mail address, its words, and the context words, for zxcvbn to treat as known. */
function wordsOf(context: PasswordContext): string[] {
  const email = context.email?.normalize('NFKC').trim().toLowerCase();
  if (email === undefined || email === '') return [...CONTEXT_WORDS];
  return [email, ...email.split(/[^\p{L}\p{N}]+/u).filter((word) => word.length >= 3), ...CONTEXT_WORDS];
}

/** Judges a password being chosen; never throws, never keeps the password. */
export function evaluatePassword(password: string, context: PasswordContext = {}): PasswordVerdict {
  const normalised = password.normalize('NFKC');
  const length = [...normalised].length;
  const result: ZxcvbnResult = zxcvbn().check(normalised, wordsOf(context));
  const problems: PasswordProblem[] = [];
  if (length < PASSWORD_MIN_CODE_POINTS) problems.push('too-short');
  if (isCommonPassword(normalised)) problems.push('common-password');
  if (result.guessesLog10 < PASSWORD_MIN_GUESSES_LOG10) problems.push('guessable');
  const warning = result.feedback.warning === null ? undefined : WARNINGS[result.feedback.warning];
  return {
    acceptable: problems.length === 0,
    problems,
    length,
    guessesLog10: Math.floor(result.guessesLog10 * 10) / 10,
    reasons: warning === undefined || problems.length === 0 ? [] : [warning],
  };
}

/** Throws WeakPasswordError unless the password is acceptable. */
export function assertPasswordAcceptable(password: string, context: PasswordContext = {}): void {
  const verdict = evaluatePassword(password, context);
  if (!verdict.acceptable) throw new WeakPasswordError(verdict);
}

/** Sentences for a person: what is wrong, then what to do. */
export function describePasswordProblems(verdict: PasswordVerdict): string[] {
  const lines: string[] = [];
  if (verdict.problems.includes('too-short')) {
    lines.push(`it has ${verdict.length} character${verdict.length === 1 ? '' : 's'}; at least ${PASSWORD_MIN_CODE_POINTS} are needed`);
  }
  if (verdict.problems.includes('common-password')) lines.push('it is on the list of the most common and breached passwords');
  if (verdict.problems.includes('guessable')) {
    lines.push(
      `it would be found in about 10^${Math.max(0, Math.floor(verdict.guessesLog10))} guesses; at least 10^${PASSWORD_MIN_GUESSES_LOG10} are needed`,
      ...verdict.reasons,
    );
  }
  if (lines.length > 0) lines.push('a passphrase of four or more words picked at random is long, strong and easy to remember');
  return lines;
}
