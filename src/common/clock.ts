/**
 * The server's sense of time, injectable so that the tests can move it (TOTP steps,
 * lockout expiry, token expiry) without waiting. Every time-based decision reads it and
 * passes the instant to SQL as a parameter, instead of SQL's now().
 */
export abstract class Clock {
  abstract now(): Date;

  nowSeconds(): number {
    return Math.floor(this.now().getTime() / 1000);
  }
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
