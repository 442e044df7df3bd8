/**
 * Defender cases: owns the cases, case_events, case_blind_indexes and
 * case_reference_counters tables. Data key wraps belong to keys/: this module adds and
 * deletes a case's wraps only through the keyring lock KeysRepository provides.
 */
import { Module } from '@nestjs/common';
import { IdempotencyModule } from '../common/idempotency/idempotency.module';
import { KeysModule } from '../keys/keys.module';
import { CasesController } from './cases.controller';
import { CasesRepository } from './cases.repository';
import { CasesService } from './cases.service';

@Module({
  imports: [KeysModule, IdempotencyModule],
  controllers: [CasesController],
  providers: [CasesRepository, CasesService],
})
export class CasesModule {}
