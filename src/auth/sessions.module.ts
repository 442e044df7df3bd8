/**
 * Sessions (part of the auth feature): owns the login_sessions and refresh_tokens tables
 * and the users' token version, and the JWTs that name them. Exports SessionsService (open,
 * rotate, end sessions) and SessionTokensService (sign tokens and recovery tickets).
 *
 * A module of its own so that users can end an account's sessions without importing
 * AuthModule, which imports users for enrolment: AuthModule → UsersModule → SessionsModule,
 * no cycle. It must import no feature module.
 */
import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { SessionTokensService } from './session-tokens.service';
import { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';

@Module({
  imports: [JwtModule.register({})],
  providers: [SessionsRepository, SessionsService, SessionTokensService],
  exports: [SessionsService, SessionTokensService],
})
export class SessionsModule {}
