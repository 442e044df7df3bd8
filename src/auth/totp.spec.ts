import { base32, base32Decode, matchTotp, otpauthUri, totpCode, totpStep } from './totp';

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
    expect(matchTotp(rfcSecret, code, now, 0)).toBe(step);
    expect(matchTotp(rfcSecret, code, now, step)).toBeUndefined();
    expect(matchTotp(rfcSecret, totpCode(rfcSecret, step + 1), now, step)).toBe(step + 1);
    expect(matchTotp(rfcSecret, totpCode(rfcSecret, step - 2), now, 0)).toBeUndefined();
    expect(matchTotp(rfcSecret, 'abcdef', now, 0)).toBeUndefined();
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
