/**
 * Users, embassies, organisations and invitations: the administration of who may sign
 * in and in which scope. Owns those tables (credentials columns excepted: auth/).
 */
import { Module } from '@nestjs/common';
import { InvitationsRepository } from './invitations.repository';

@Module({
  providers: [InvitationsRepository],
  exports: [InvitationsRepository],
})
export class UsersModule {}
