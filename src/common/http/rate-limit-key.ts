/**
 * What a shared rate-limit store keys its windows by: an HMAC, under a server key, of the
 * limit's name and the client (its address). A store outside the process (PostgreSQL,
 * Redis) then counts clients without holding their addresses, as the sign-in budget does
 * (docs/identity.md, "Brute force"). Owns nothing else.
 */
import { createHmac, type KeyObject } from 'node:crypto';
import type { ThrottlerStorage } from '@nestjs/throttler';

/** What every storage answers for one hit (the throttler's own record type is not exported). */
export type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

export class RateLimitKeys {
  constructor(private readonly key: KeyObject) {}

  /** 16 bytes: collisions between clients are out of reach, and rows stay small. */
  of(throttlerName: string, client: string): Buffer {
    return createHmac('sha256', this.key).update(throttlerName).update('\u0000').update(client).digest().subarray(0, 16);
  }
}
