/**
 * Idempotency keys for POSTs that create: owns the idempotency_records table and the one
 * way of claiming and replaying a key (IdempotencyService). Features import this module.
 */
import { Module } from '@nestjs/common';
import { IdempotencyService } from './idempotency.service';

@Module({
  providers: [IdempotencyService],
  exports: [IdempotencyService],
})
export class IdempotencyModule {}
