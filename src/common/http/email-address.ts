/**
 * The one e-mail rule of the API, written to be safe on any input: a length check first,
 * then linear checks on the split parts (no backtracking regular expression over the
 * whole string, no punycode conversion that can throw). It takes what members type —
 * `dot.atom@sub.example.org`, plus-addressing, internationalised domain labels — and
 * refuses what no mail system delivers to: spaces, quotes, control characters, empty or
 * dotted-out local parts, single-label domains, labels over 63 characters.
 * (class-validator's `@IsEmail` threw on a lone surrogate and backtracks on long input.)
 */
import { ValidateBy, type ValidationOptions } from 'class-validator';

export const EMAIL_MAX_LENGTH = 254;
const LOCAL_PART_MAX_LENGTH = 64;

/** RFC 5322 atext, plus any letter or digit (RFC 6531 allows UTF-8 local parts). */
const LOCAL_ATOM = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+$/u;
/** A domain label: letters or digits, inner hyphens, at most 63 characters. */
const DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;
/** The top-level label is not all digits (that would be an IP address). */
const TOP_LEVEL_LABEL = /\p{L}/u;

export function isEmailAddress(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > EMAIL_MAX_LENGTH) return false;
  const at = value.lastIndexOf('@');
  if (at <= 0 || at > LOCAL_PART_MAX_LENGTH) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (!local.split('.').every((atom) => LOCAL_ATOM.test(atom))) return false;
  const labels = domain.split('.');
  return labels.length >= 2 && labels.every((label) => DOMAIN_LABEL.test(label)) && TOP_LEVEL_LABEL.test(labels[labels.length - 1]);
}

/**
 * How an e-mail is stored and looked up: trimmed and lower-cased, so that an account, its
 * invitations and its sign-ins agree on one spelling.
 */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function IsEmailAddress(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isEmailAddress',
      validator: {
        validate: isEmailAddress,
        defaultMessage: (args) => `${args?.property ?? 'value'} must be an e-mail address of at most ${EMAIL_MAX_LENGTH} characters`,
      },
    },
    options,
  );
}
