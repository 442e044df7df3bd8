/**
 * Keeps idempotency_records from growing without bound: purges expired records once at
 * start-up (awaited, so a server that was down for days starts clean) and then every
 * hour. Each instance of a deployment runs it; the DELETEs are idempotent and cheap
 * when nothing has expired (the created_at index). A failed purge is logged and retried
 * at the next tick: it never stops the server, and expiry itself does not depend on it
 * (an expired key is never replayed, purged or not).
 */
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { IdempotencyService } from './idempotency.service';

export const IDEMPOTENCY_PURGE_INTERVAL_MS = 60 * 60 * 1000;

@Injectable()
export class IdempotencyExpiry implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IdempotencyExpiry.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly idempotency: IdempotencyService) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.purge();
    // unref: a pending purge must never keep a stopping process alive.
    this.timer = setInterval(() => void this.purge(), IDEMPOTENCY_PURGE_INTERVAL_MS).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Returns how many records were deleted (0 after a failure, which is logged). */
  async purge(): Promise<number> {
    try {
      const purged = await this.idempotency.purgeExpired();
      if (purged > 0) this.logger.log(`purged ${purged} expired idempotency record(s)`);
      return purged;
    } catch (error) {
      this.logger.warn(`idempotency purge failed, retried in an hour: ${error instanceof Error ? error.message : String(error)}`);
      return 0;
    }
  }
}
