/** Makes `Database` (the one way a service reaches PostgreSQL) injectable everywhere. */
import { Global, Module } from '@nestjs/common';
import { Database } from './database';

@Global()
@Module({ providers: [Database], exports: [Database] })
export class DatabaseModule {}
