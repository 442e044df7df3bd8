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
import { AuthModule } from './auth/auth.module';
import { CasesModule } from './cases/cases.module';
import { AccessGuard } from './common/authz/access.guard';
import type { Clock } from './common/clock';
import { AppConfigModule } from './common/config/app-config.module';
import type { AppConfig } from './common/config/environment';
import type { ServerKeys } from './common/config/server-keys';
import { APP_ENTITIES } from './app-entities';
import { typeOrmOptions } from './common/database/typeorm-options';
import { rateLimits } from './common/http/rate-limits';
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
        ThrottlerModule.forRoot(rateLimits(settings.config)),
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
        { provide: APP_GUARD, useClass: AccessGuard },
      ],
    };
  }
}
