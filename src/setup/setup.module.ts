/**
 * First-run setup: the one-time token that authorises creating the first
 * administrator. Owns the `setup_token` table and nothing else.
 */
import { Module } from '@nestjs/common';
import { SetupTokenService } from './setup-token.service';

@Module({
  providers: [SetupTokenService],
  exports: [SetupTokenService],
})
export class SetupModule {}
