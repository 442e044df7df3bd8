/**
 * Makes the validated configuration, the server keys and the clock injectable everywhere, as
 * values built once at start (never re-read from process.env inside the app).
 */
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { Clock } from '../clock';
import type { AppConfig } from './environment';
import { ServerKeys } from './server-keys';

export const APP_CONFIG = Symbol('APP_CONFIG');

@Global()
@Module({})
export class AppConfigModule {
  static register(config: AppConfig, serverKeys: ServerKeys, clock: Clock): DynamicModule {
    return {
      module: AppConfigModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: ServerKeys, useValue: serverKeys },
        { provide: Clock, useValue: clock },
      ],
      exports: [APP_CONFIG, ServerKeys, Clock],
    };
  }
}
