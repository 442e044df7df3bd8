/**
 * Authentication: setup of the first administrator, enrolment, MFA, login, password change
 * and recovery, the access-token strategy the global guard uses, and each address's budget
 * of failed sign-ins. Owns the sign_in_address_failures table and the credential columns of
 * users (KDF parameters, authKey hashes, wrapped seeds, TOTP, the credential locks); with
 * SessionsModule (same feature) the sessions, refresh tokens and token version.
 *
 * Imports users (invitations are spent and accounts created through its exported
 * services), setup (the setup token) and SessionsModule. Nothing imports this module back:
 * users reaches sessions through SessionsModule alone. Exports nothing.
 */
import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { Database } from '../common/database/database';
import { SetupModule } from '../setup/setup.module';
import { UsersModule } from '../users/users.module';
import { AccessTokenStrategy } from './access-token.strategy';
import { AuthController } from './auth.controller';
import { AuthRepository } from './auth.repository';
import { AuthService } from './auth.service';
import { SessionsModule } from './sessions.module';
import { SetupController } from './setup.controller';
import { SignInAddressGuard } from './sign-in-address.guard';

@Module({
  imports: [PassportModule, UsersModule, SetupModule, SessionsModule],
  controllers: [AuthController, SetupController],
  providers: [Database, AuthRepository, AuthService, AccessTokenStrategy, SignInAddressGuard],
})
export class AuthModule {}
