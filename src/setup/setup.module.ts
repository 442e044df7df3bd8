/**
 * First-run setup: the one-time token that authorises creating the first administrator.
 * Owns the `setup_token` table and nothing else; writes its audit event (`setup.rearmed`)
 * through AuditService. Imports no feature module (auth imports this one).
 */
import { Module } from '@nestjs/common';
import { SetupTokenRepository } from './setup-token.repository';
import { SetupTokenService } from './setup-token.service';

@Module({
  providers: [SetupTokenRepository, SetupTokenService],
  exports: [SetupTokenService],
})
export class SetupModule {}
