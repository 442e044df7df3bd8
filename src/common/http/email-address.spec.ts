import { isEmailAddress } from './email-address';

describe('isEmailAddress', () => {
  it.each([
    'contact@embassy.example',
    'a.b+visa@sub.ngo.example.org',
    "o'brien@example.ie",
    'amina@xn--mnchen-3ya.de',
    'amina@münchen.de',
    'дмитрий@пример.рф',
    'x@a.co',
    `${'l'.repeat(64)}@example.org`,
  ])('accepts %s', (address) => {
    expect(isEmailAddress(address)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['no @', 'contact.example.org'],
    ['empty local part', '@example.org'],
    ['a space', 'con tact@example.org'],
    ['a leading dot', '.contact@example.org'],
    ['two dots', 'con..tact@example.org'],
    ['a trailing dot', 'contact.@example.org'],
    ['a quote', '"contact"@example.org'],
    ['a NUL', 'con\u0000tact@example.org'],
    ['a lone surrogate', 'con\ud800tact@example.org'],
    ['a bidi override', 'con\u202etact@example.org'],
    ['a single-label domain', 'contact@localhost'],
    ['an IP literal', 'contact@[127.0.0.1]'],
    ['a numeric top-level label', 'contact@127.0.0.1'],
    ['a label starting with a hyphen', 'contact@-example.org'],
    ['an empty label', 'contact@example..org'],
    ['a label over 63', `contact@${'d'.repeat(64)}.org`],
    ['a local part over 64', `${'l'.repeat(65)}@example.org`],
    ['over 254 in all', `contact@${'d'.repeat(60)}.${'d'.repeat(60)}.${'d'.repeat(60)}.${'d'.repeat(60)}.org`],
    ['two @', 'a@b@example.org'],
    ['not a string', 42],
  ])('refuses %s', (_why, address) => {
    expect(isEmailAddress(address)).toBe(false);
  });

  it('answers in linear time on hostile input (no backtracking)', () => {
    // 100k characters of near-misses: a backtracking pattern would not return.
    expect(isEmailAddress(`${'a.'.repeat(50_000)}@example.org`)).toBe(false);
    expect(isEmailAddress(`a@${'a-'.repeat(50_000)}.org`)).toBe(false);
  });
});
