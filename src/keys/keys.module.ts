/**
 * The key directory and team keys: owns the team_key_generations, team_key_grants and
 * data_key_wraps tables (their entities are in team-key.entity.ts). Exports the
 * repository so that features which seal data keys (cases, visa requests, placements)
 * read and lock a scope's keyring through it, never around it; and TeamMembershipService,
 * through which users and auth ask whether a scope has a team and remove a member's grants.
 */
import { Module } from '@nestjs/common';
import { KeysController } from './keys.controller';
import { KeysRepository } from './keys.repository';
import { KeysService } from './keys.service';
import { TeamMembershipRepository } from './team-membership.repository';
import { TeamMembershipService } from './team-membership.service';

@Module({
  controllers: [KeysController],
  providers: [KeysRepository, KeysService, TeamMembershipRepository, TeamMembershipService],
  exports: [KeysRepository, TeamMembershipService],
})
export class KeysModule {}
