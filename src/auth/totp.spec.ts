import { assessTotpCode, base32, base32Decode, otpauthUri, totpCode, totpStep } from './totp';

// RFC 6238 appendix B, SHA-1 secret "12345678901234567890".
const rfcSecret = Buffer.from('12345678901234567890', 'ascii');

describe('TOTP', () => {
  it.each([
    [59, '287082'],
    [1111111109, '081804'],
    [1234567890, '005924'],
    [2000000000, '279037'],
  ])('matches RFC 6238 at T=%i', (seconds, code) => {
    expect(totpCode(rfcSecret, totpStep(seconds))).toBe(code);
  });

  it('accepts the neighbouring steps, once each', () => {
    const now = 1_800_000_000;
    const step = totpStep(now);
    const code = totpCode(rfcSecret, step);
    expect(assessTotpCode(rfcSecret, code, now, 0)).toEqual({ verdict: 'valid', step });
    expect(assessTotpCode(rfcSecret, totpCode(rfcSecret, step + 1), now, step)).toEqual({ verdict: 'valid', step: step + 1 });
    expect(assessTotpCode(rfcSecret, totpCode(rfcSecret, step - 2), now, 0)).toEqual({ verdict: 'wrong' });
    expect(assessTotpCode(rfcSecret, 'abcdef', now, 0)).toEqual({ verdict: 'wrong' });
  });

  it('tells a code that was just spent from a wrong one', () => {
    const now = 1_800_000_000;
    const step = totpStep(now);
    expect(assessTotpCode(rfcSecret, totpCode(rfcSecret, step), now, step)).toEqual({ verdict: 'used' });
    expect(assessTotpCode(rfcSecret, totpCode(rfcSecret, step - 1), now, step)).toEqual({ verdict: 'used' });
    // Outside the window a spent step is simply wrong: nothing tells it was ever valid.
    expect(assessTotpCode(rfcSecret, totpCode(rfcSecret, step - 2), now, step)).toEqual({ verdict: 'wrong' });
  });

  it('encodes the secret in base32 for authenticator apps', () => {
    expect(base32(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(base32Decode('MZXW6YTBOI').toString()).toBe('foobar');
    expect(base32Decode(base32(rfcSecret)).equals(rfcSecret)).toBe(true);
    expect(otpauthUri(rfcSecret, 'a@b.example')).toBe(
      `otpauth://totp/Egide%3Aa%40b.example?secret=${base32(rfcSecret)}&issuer=Egide&algorithm=SHA1&digits=6&period=30`,
    );
  });
});
