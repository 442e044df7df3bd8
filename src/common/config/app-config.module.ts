/**
 * Makes the validated configuration and the server keys injectable everywhere, as
 * values built once at start (never re-read from process.env inside the app).
 */
import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from './environment';
import { ServerKeys } from './server-keys';

export const APP_CONFIG = Symbol('APP_CONFIG');

@Global()
@Module({})
export class AppConfigModule {
  static register(config: AppConfig, serverKeys: ServerKeys): DynamicModule {
    return {
      module: AppConfigModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: ServerKeys, useValue: serverKeys },
      ],
      exports: [APP_CONFIG, ServerKeys],
    };
  }
}
