/**
 * The key directory, team keys and the keyring: owns the team_key_generations,
 * team_key_grants, data_key_wraps and team_key_rotations tables (their entities are in
 * team-key.entity.ts). Features that seal records (cases, visa requests, placements)
 * write, read, move and shred data-key wraps through the exported KeyringService, never
 * around it. KeysRepository is still exported for the case feature's older calls
 * (lockScopeKeyring, findCurrentGeneration, findMemberKeys) until it moves onto the keyring.
 */
import { Module } from '@nestjs/common';
import { KeysController } from './keys.controller';
import { KeysRepository } from './keys.repository';
import { KeysService } from './keys.service';
import { KeyringRepository } from './keyring.repository';
import { KeyringService } from './keyring.service';
import { KeysAudit } from './keys-audit';
import { RotationRepository } from './rotation.repository';
import { RotationService } from './rotation.service';
import { Database } from '../common/database/database';

@Module({
  controllers: [KeysController],
  // Database: until the lead's shared provider lands on main (then this line goes).
  providers: [Database, KeysRepository, KeysService, KeysAudit, KeyringRepository, KeyringService, RotationRepository, RotationService],
  exports: [KeysRepository, KeyringService],
})
export class KeysModule {}
