/**
 * The audit trail. Owns the audit_events table (see its migration) and the one way of
 * writing to it. Global: every feature records its writes through it.
 */
import { Global, Module } from '@nestjs/common';
import { AuditService } from './audit.service';

@Global()
@Module({
  providers: [AuditService],
  exports: [AuditService],
})
export class AuditModule {}
