/**
 * Authentication: enrolment, TOTP, login, sessions and tokens, password change and
 * recovery, and the access-token strategy the global guard uses. Owns the
 * login_sessions and refresh_tokens tables and the credential columns of users.
 */
import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { SetupModule } from '../setup/setup.module';
import { UsersModule } from '../users/users.module';
import { AccessTokenStrategy } from './access-token.strategy';
import { AuthController } from './auth.controller';
import { AuthRepository } from './auth.repository';
import { AuthService } from './auth.service';
import { SessionTokensService } from './session-tokens.service';
import { SetupController } from './setup.controller';
import { SignInAddressGuard } from './sign-in-address.guard';

@Module({
  imports: [PassportModule, JwtModule.register({}), UsersModule, SetupModule],
  controllers: [AuthController, SetupController],
  providers: [AuthRepository, AuthService, SessionTokensService, AccessTokenStrategy, SignInAddressGuard],
  exports: [AuthService, AuthRepository],
})
export class AuthModule {}
