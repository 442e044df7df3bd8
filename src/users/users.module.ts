/**
 * Users, embassies, organisations and invitations: the administration of who may sign
 * in and in which scope (ADMIN routes under /api/v1/admin). Owns those tables
 * (credentials columns excepted: auth/).
 *
 * Session revocation is AuthRepository.revokeAllSessions, the one definition of "every
 * session of this user ends". AuthModule imports this module (enrolment spends
 * invitations), so importing AuthModule back would make a module cycle; AuthRepository
 * needs nothing but the DataSource and holds no state, so it is provided here too
 * instead — the same SQL, no forwardRef, no copy of the statement.
 */
import { Module } from '@nestjs/common';
import { AuthRepository } from '../auth/auth.repository';
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
  controllers: [EmbassiesController, OrganisationsController, InvitationsController, UsersAdminController],
  providers: [
    AuthRepository,
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
  exports: [InvitationsRepository, UsersRepository],
})
export class UsersModule {}
