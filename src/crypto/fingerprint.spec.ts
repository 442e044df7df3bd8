import { fingerprintsMatch, formatFingerprint, isFingerprint, teamKeyFingerprint, userKeyFingerprint } from './fingerprint';
import { MalformedInputError } from './protocol-errors';
import { readyCrypto } from './protocol-hash';

describe('key fingerprints', () => {
  beforeAll(async () => {
    await readyCrypto();
  });

  it('renders eight groups of five digits from u32be(digest[4i..]) mod 100000', () => {
    const digest = new Uint8Array(32);
    digest.set([0x00, 0x01, 0x86, 0xa0], 0); // 100000 → 00000
    digest.set([0x00, 0x00, 0x30, 0x39], 4); // 12345
    digest.set([0xff, 0xff, 0xff, 0xff], 28); // 4294967295 → 67295
    expect(formatFingerprint(digest)).toBe('00000 12345 00000 00000 00000 00000 00000 67295');
    expect(() => formatFingerprint(new Uint8Array(31))).toThrow(MalformedInputError);
  });

  it('is stable, and differs for different keys, kinds, scopes and generations', () => {
    const box = new Uint8Array(32).fill(1);
    const sign = new Uint8Array(32).fill(2);
    const scope = '11111111-2222-4333-8444-555555555555';
    const user = userKeyFingerprint(box, sign);
    expect(isFingerprint(user)).toBe(true);
    expect(userKeyFingerprint(box, sign)).toBe(user);
    const others = [
      userKeyFingerprint(sign, box),
      teamKeyFingerprint(scope, 1, box),
      teamKeyFingerprint(scope, 2, box),
      teamKeyFingerprint('11111111-2222-4333-8444-555555555556', 1, box),
    ];
    expect(new Set([user, ...others]).size).toBe(5);
  });

  it('compares what a person reads back, ignoring spacing', () => {
    const user = userKeyFingerprint(new Uint8Array(32).fill(1), new Uint8Array(32).fill(2));
    expect(fingerprintsMatch(user, user.replace(/ /g, ''))).toBe(true);
    expect(fingerprintsMatch(user, ` ${user.replace(/ /g, '  ')}\n`)).toBe(true);
    expect(fingerprintsMatch(user, user.replace(/\d$/, (d) => String((Number(d) + 1) % 10)))).toBe(false);
    expect(fingerprintsMatch('', '')).toBe(false);
  });
});
