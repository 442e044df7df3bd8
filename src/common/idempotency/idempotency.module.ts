/**
 * Idempotency keys for POSTs that create: owns the idempotency_records table, the one
 * way of claiming and replaying a key (IdempotencyService) and the purge of expired keys
 * (IdempotencyExpiry). Features import this module.
 */
import { Module } from '@nestjs/common';
import { IdempotencyExpiry } from './idempotency-expiry';
import { IdempotencyService } from './idempotency.service';

@Module({
  providers: [IdempotencyService, IdempotencyExpiry],
  exports: [IdempotencyService],
})
export class IdempotencyModule {}
