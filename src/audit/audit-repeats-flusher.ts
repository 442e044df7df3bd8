/**
 * Appends the counts of repeated refusals once their hour is over, even when no new
 * refusal comes to do it (audit.service.ts flushes with every repeatable event): at
 * start-up and then every five minutes. Each instance of a deployment may run it; the
 * flush takes each counter row once. A failed flush is logged and retried at the next
 * tick; it never stops the server and loses nothing (the counters stay until flushed).
 */
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AuditService } from './audit.service';

export const AUDIT_REPEATS_FLUSH_INTERVAL_MS = 5 * 60 * 1000;

@Injectable()
export class AuditRepeatsFlusher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AuditRepeatsFlusher.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly audit: AuditService) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.flush();
    // unref: a pending flush must never keep a stopping process alive.
    this.timer = setInterval(() => void this.flush(), AUDIT_REPEATS_FLUSH_INTERVAL_MS).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async flush(): Promise<void> {
    try {
      await this.audit.flushClosedWindows();
    } catch (error) {
      this.logger.warn(`audit repeat flush failed, retried in five minutes: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
