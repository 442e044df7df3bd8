/** What /auth/recovery/begin answers: the recovery-wrapped seed and a short-lived ticket to complete with. */
import { ApiProperty } from '@nestjs/swagger';
import { integerField, JWT_FIELD } from '../../common/openapi/api-fields';
import { RECOVERY_TICKET_TTL_SECONDS } from '../access-token';
import { EncryptedKeyBundleDto } from './encrypted-key-bundle.dto';
import { KdfParametersDto } from './kdf-parameters.dto';

export class BeginRecoveryResponse {
  @ApiProperty({ ...JWT_FIELD, description: 'Short-lived; only /auth/recovery/complete accepts it' })
  recoveryTicket!: string;

  @ApiProperty({ type: EncryptedKeyBundleDto, description: 'The seed under the recovery key' })
  recoveryBundle!: EncryptedKeyBundleDto;

  @ApiProperty({ type: KdfParametersDto, description: 'The current parameters (unchanged by recovery until completed)' })
  kdf!: KdfParametersDto;

  @ApiProperty({ ...integerField(1, RECOVERY_TICKET_TTL_SECONDS), description: 'Seconds until the ticket expires' })
  expiresIn!: number;
}
