/**
 * The root module. `AppModule.register(settings)` is what both `npm start` and the
 * tests boot, so the tests exercise the real wiring. Feature modules are listed here;
 * cross-cutting pieces (exception filter, validation) are installed in server.ts where
 * they also cover Fastify's own errors.
 */
import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AppConfig } from './common/config/environment';
import { AppConfigModule } from './common/config/app-config.module';
import type { ServerKeys } from './common/config/server-keys';
import { typeOrmOptions } from './common/database/typeorm-options';
import { HealthModule } from './health/health.module';
import { SetupModule } from './setup/setup.module';

export interface AppSettings {
  config: AppConfig;
  serverKeys: ServerKeys;
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
        AppConfigModule.register(settings.config, settings.serverKeys),
        TypeOrmModule.forRoot({
          ...typeOrmOptions(settings.databaseUrl, settings.config.databasePoolSize),
          migrationsRun: true,
          retryAttempts: 0,
        }),
        HealthModule,
        SetupModule,
        ...(settings.additionalModules ?? []),
      ],
    };
  }
}
