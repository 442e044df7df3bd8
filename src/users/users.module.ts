/**
 * Users, embassies, organisations and invitations: who may sign in and in which scope
 * (ADMIN routes under /api/v1/admin), and the account rows enrolment creates. Owns the
 * embassies, organisations, invitations and users tables — except the credential columns
 * of users (KDF parameters, authKey hashes, wrapped seeds, TOTP, locks, token version),
 * which are auth's.
 *
 * Depends on auth's SessionsModule (disabling or re-roling an account ends its sessions)
 * and on keys (team grants, whether a scope has a team), never on AuthModule: AuthModule
 * imports this module for enrolment (InvitationsService.spend, AccountsService), so the
 * graph stays AuthModule → UsersModule → SessionsModule, without a cycle. Must never write
 * another feature's table, nor be given AuthRepository.
 */
import { Module } from '@nestjs/common';
import { SessionsModule } from '../auth/sessions.module';
import { KeysModule } from '../keys/keys.module';
import { AccountsRepository } from './accounts.repository';
import { AccountsService } from './accounts.service';
import { EmbassiesController } from './embassies.controller';
import { EmbassiesRepository } from './embassies.repository';
import { EmbassiesService } from './embassies.service';
import { InvitationsController } from './invitations.controller';
import { InvitationsRepository } from './invitations.repository';
import { InvitationsService } from './invitations.service';
import { OrganisationsController } from './organisations.controller';
import { OrganisationsRepository } from './organisations.repository';
import { OrganisationsService } from './organisations.service';
import { ScopeAssignmentsService } from './scope-assignments.service';
import { UsersAdminController } from './users-admin.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Module({
  imports: [SessionsModule, KeysModule],
  controllers: [EmbassiesController, OrganisationsController, InvitationsController, UsersAdminController],
  providers: [
    AccountsRepository,
    AccountsService,
    EmbassiesRepository,
    EmbassiesService,
    InvitationsRepository,
    InvitationsService,
    OrganisationsRepository,
    OrganisationsService,
    ScopeAssignmentsService,
    UsersRepository,
    UsersService,
  ],
  exports: [AccountsService, InvitationsService],
})
export class UsersModule {}
