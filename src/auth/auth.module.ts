/**
 * Authentication: enrolment, TOTP, login, sessions and tokens, password change and
 * recovery, the access guard (global, registered by AppModule after the rate limits)
 * with its access-token verifier, and the principal cache with the listener that keeps
 * it honest. Owns the login_sessions and refresh_tokens tables and the credential
 * columns of users.
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
import { SessionTokensService } from './session-tokens.service';
import { SetupController } from './setup.controller';
import { SignInAddressGuard } from './sign-in-address.guard';

/**
 * One entry per (user, session) used within the cache's lifetime: ample for the active
 * sessions of one instance, and a bound on memory (~1 KB each) whatever clients do.
 */
export const PRINCIPAL_CACHE_MAX_ENTRIES = 10_000;

@Module({
  imports: [JwtModule.register({}), UsersModule, SetupModule],
  controllers: [AuthController, SetupController],
  providers: [
    AuthRepository,
    AuthService,
    SessionTokensService,
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
  exports: [AuthService, AuthRepository, AccessGuard],
})
export class AuthModule {}
