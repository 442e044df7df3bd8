/**
 * Authentication: setup of the first administrator, enrolment, MFA, login, password change
 * and recovery, the access-token verifier the global guard uses, and each address's budget
 * of failed sign-ins. Owns the sign_in_address_failures table and the credential columns of
 * users (KDF parameters, authKey hashes, wrapped seeds, TOTP, the credential locks); with
 * SessionsModule (same feature) the sessions, refresh tokens and token version.
 *
 * Imports users (invitations are spent and accounts created through its exported
 * services), setup (the setup token) and SessionsModule. Nothing imports this module back:
 * users reaches sessions through SessionsModule alone. Also holds the access guard (global,
 * registered by AppModule after the rate limits, the one thing this module exports) and
 * the principal cache with the listener that keeps it honest (docs/identity.md).
 */
import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { SetupModule } from '../setup/setup.module';
import { UsersModule } from '../users/users.module';
import { APP_CONFIG } from '../common/config/app-config.module';
import type { AppConfig } from '../common/config/environment';
import { AccessGuard } from './access.guard';
import { AccessTokenVerifier } from './access-token-verifier';
import { AuthController } from './auth.controller';
import { AuthRepository } from './auth.repository';
import { AuthService } from './auth.service';
import { PrincipalCache } from './principal-cache';
import { PrincipalChangeListener } from './principal-listener';
import { SessionsModule } from './sessions.module';
import { SetupController } from './setup.controller';
import { SignInAddressGuard } from './sign-in-address.guard';

/**
 * One entry per (user, session) used within the cache's lifetime: ample for the active
 * sessions of one instance, and a bound on memory (~1 KB each) whatever clients do.
 */
export const PRINCIPAL_CACHE_MAX_ENTRIES = 10_000;

@Module({
  imports: [JwtModule.register({}), UsersModule, SetupModule, SessionsModule],
  controllers: [AuthController, SetupController],
  providers: [
    AuthRepository,
    AuthService,
    AccessTokenVerifier,
    SignInAddressGuard,
    AccessGuard,
    PrincipalChangeListener,
    {
      provide: PrincipalCache,
      useFactory: (config: AppConfig) => new PrincipalCache({ ttlMs: config.principalCacheTtlMs, maxEntries: PRINCIPAL_CACHE_MAX_ENTRIES }),
      inject: [APP_CONFIG],
    },
  ],
  exports: [AccessGuard],
})
export class AuthModule {}
