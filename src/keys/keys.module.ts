/**
 * The key directory, team keys and the keyring: owns the team_key_generations,
 * team_key_grants, data_key_wraps and team_key_rotations tables (their entities are in
 * team-key.entity.ts). Features that seal records (cases, visa requests, placements)
 * write, read, move and shred data-key wraps through the exported KeyringService, never
 * around it (and compose its published statements, keyring.statements.ts, into their
 * own single-statement writes); users and auth ask whether a scope has a team and
 * remove a member's grants through TeamMembershipService.
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
import { TeamMembershipRepository } from './team-membership.repository';
import { TeamMembershipService } from './team-membership.service';

@Module({
  controllers: [KeysController],
  providers: [
    KeysRepository,
    KeysService,
    KeysAudit,
    KeyringRepository,
    KeyringService,
    RotationRepository,
    RotationService,
    TeamMembershipRepository,
    TeamMembershipService,
  ],
  exports: [KeyringService, TeamMembershipService],
})
export class KeysModule {}
