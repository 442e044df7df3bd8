/**
 * A server clock the tests move: it starts an hour ahead of real time (so every TOTP
 * step the global setup spent is in the past) and only moves when told.
 */
import { Clock } from '../../src/common/clock';

export class TestClock extends Clock {
  private offsetMs = 3_600_000;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
