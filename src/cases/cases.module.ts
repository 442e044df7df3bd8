/**
 * Defender cases: owns the cases, case_events, case_blind_indexes and
 * case_reference_counters tables. Data key wraps belong to keys/: this module writes,
 * moves and shreds a case's wraps only through KeyringService and the keyring's
 * published statements (keys/keyring.statements.ts).
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
