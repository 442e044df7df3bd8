/** What prelogin answers: the KDF salt and limits of an account (stable decoys for unknown e-mails). */
import { ApiProperty } from '@nestjs/swagger';
import { KdfParametersDto } from './kdf-parameters.dto';

export class PreloginResponse {
  @ApiProperty({ type: KdfParametersDto })
  kdf!: KdfParametersDto;
}
