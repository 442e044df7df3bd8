/**
 * The root module. `AppModule.register(settings)` is what both `npm start` and the
 * tests boot, so the tests exercise the real wiring. Feature modules are listed here;
 * the guards are global: rate limits first, then deny-by-default access control.
 * The exception filter and validation pipe are installed in server.ts, where they also
 * cover Fastify's own errors.
 */
import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from './audit/audit.module';
import { AccessGuard } from './auth/access.guard';
import { AuthModule } from './auth/auth.module';
import { CasesModule } from './cases/cases.module';
import type { Clock } from './common/clock';
import { APP_CONFIG, AppConfigModule } from './common/config/app-config.module';
import type { AppConfig } from './common/config/environment';
import type { ServerKeys } from './common/config/server-keys';
import { APP_ENTITIES } from './app-entities';
import { DatabaseModule } from './common/database/database.module';
import { typeOrmOptions } from './common/database/typeorm-options';
import { RATE_LIMIT_STORAGE, RateLimitStorageModule, rateLimits } from './common/http/rate-limits';
import { HealthModule } from './health/health.module';
import { KeysModule } from './keys/keys.module';
import { SetupModule } from './setup/setup.module';
import { UsersModule } from './users/users.module';

export interface AppSettings {
  config: AppConfig;
  serverKeys: ServerKeys;
  clock: Clock;
  databaseUrl: string;
  /** Extra modules served through the same pipeline (the tests' probe routes). */
  additionalModules?: Type[];
}

@Module({})
export class AppModule {
  static register(settings: AppSettings): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.register(settings.config, settings.serverKeys, settings.clock),
        TypeOrmModule.forRoot({
          ...typeOrmOptions(settings.databaseUrl, APP_ENTITIES, settings.config.databasePoolSize),
          migrationsRun: true,
          retryAttempts: 0,
        }),
        DatabaseModule,
        ThrottlerModule.forRootAsync({ imports: [RateLimitStorageModule], inject: [APP_CONFIG, RATE_LIMIT_STORAGE], useFactory: rateLimits }),
        AuditModule,
        HealthModule,
        SetupModule,
        UsersModule,
        AuthModule,
        KeysModule,
        CasesModule,
        ...(settings.additionalModules ?? []),
      ],
      providers: [
        { provide: APP_GUARD, useClass: ThrottlerGuard },
        // The access guard is the auth feature's (it exports it); registered here so that
        // it runs after the rate limits.
        { provide: APP_GUARD, useExisting: AccessGuard },
      ],
    };
  }
}
