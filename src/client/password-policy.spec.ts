/**
 * The password rule (docs/identity.md, "Passwords"): length in code points of the NFKC
 * form, the bundled list of common and breached passwords, and zxcvbn's estimate with the
 * e-mail address as known words.
 */
import {
  assertPasswordAcceptable,
  describePasswordProblems,
  evaluatePassword,
  PASSWORD_MIN_CODE_POINTS,
  WeakPasswordError,
} from './password-policy';

it('refuses "a", saying it is too short and guessable', () => {
  const verdict = evaluatePassword('a');
  expect(verdict).toMatchObject({ acceptable: false, problems: ['too-short', 'guessable'], length: 1 });
  expect(describePasswordProblems(verdict)[0]).toBe(`it has 1 character; at least ${PASSWORD_MIN_CODE_POINTS} are needed`);
});

it('counts code points of the NFKC form, as the key derivation sees the password', () => {
  // Eleven "é" typed decomposed: 22 UTF-16 units, 11 code points once composed.
  expect(evaluatePassword('e\u0301'.repeat(11)).length).toBe(11);
  // An emoji is two UTF-16 units and one code point.
  expect(evaluatePassword('😀'.repeat(11)).problems).toContain('too-short');
  // NFKC expands the ligature "ﬀ" to "ff": six of them are twelve code points.
  expect(evaluatePassword('ﬀ'.repeat(6)).problems).not.toContain('too-short');
});

it('refuses a password of the bundled common list even when it is long enough, ignoring case', () => {
  for (const listed of ['1qaz2wsx3edc', 'QWERTY123456', 'leavemealone']) {
    const verdict = evaluatePassword(listed);
    expect({ listed, problems: verdict.problems }).toEqual({ listed, problems: expect.arrayContaining(['common-password']) as string[] });
  }
});

it('refuses long but guessable passwords: patterns, repeats, common words', () => {
  for (const guessable of ['aaaaaaaaaaaaaaaa', 'abcdefghijklmnop', 'Password12345!', 'another password', 'Summer2024!!']) {
    expect({ guessable, problems: evaluatePassword(guessable).problems }).toEqual({ guessable, problems: ['guessable'] });
  }
});

it('treats the e-mail address and its parts as known words', () => {
  const email = 'amina.wanjiru@embassy.example';
  expect(evaluatePassword(email).acceptable).toBe(true);
  const verdict = evaluatePassword(email, { email });
  expect(verdict.problems).toEqual(['guessable']);
  expect(describePasswordProblems(verdict)).toContain('it contains your e-mail address, a part of it, or a word of this service (like "egide" or "embassy")');
});

it('treats the words of this service as known too', () => {
  expect(evaluatePassword('egideembassyrefuge').problems).toEqual(['guessable']);
});

it('accepts passphrases of random words and long random strings', () => {
  for (const strong of ['correct horse battery staple', 'zebra kettle violin moss', 'a passphrase for amina wanjiru', 'k3J9-vQ2m-Lx7p-Wd4t']) {
    expect({ strong, verdict: evaluatePassword(strong, { email: 'someone@embassy.example' }) }).toMatchObject({
      strong,
      verdict: { acceptable: true, problems: [] },
    });
  }
});

it('throws a WeakPasswordError whose message says what is wrong and what to do', () => {
  expect(() => assertPasswordAcceptable('short')).toThrow(WeakPasswordError);
  expect(() => assertPasswordAcceptable('short')).toThrow(/^the new password is too weak: it has 5 characters; at least 12 are needed; .*passphrase/);
  expect(() => assertPasswordAcceptable('correct horse battery staple')).not.toThrow();
});
