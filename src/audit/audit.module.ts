/**
 * The audit trail. Owns the audit_events table and its working table audit_repeats (see
 * their migrations), the one way of writing to them, and the timer that closes counted
 * hours. Global: every feature records its writes through it.
 */
import { Global, Module } from '@nestjs/common';
import { AuditRepeatsFlusher } from './audit-repeats-flusher';
import { AuditService } from './audit.service';

@Global()
@Module({
  providers: [AuditService, AuditRepeatsFlusher],
  exports: [AuditService],
})
export class AuditModule {}
