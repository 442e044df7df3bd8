/** What login answers: the session's tokens, who signed in, and what the client needs to unwrap its seed. */
import { ApiProperty } from '@nestjs/swagger';
import { FINGERPRINT_FIELD } from '../../common/openapi/api-fields';
import { EncryptedKeyBundleDto } from './encrypted-key-bundle.dto';
import { KdfParametersDto } from './kdf-parameters.dto';
import { SessionTokensResponse } from './session-tokens.response';
import { UserPublicKeysDto } from './user-public-keys.dto';
import { UserSummaryResponse } from './user-summary.response';

export class KeyBundleDto {
  @ApiProperty({ type: KdfParametersDto })
  kdf!: KdfParametersDto;

  @ApiProperty({ type: EncryptedKeyBundleDto })
  passwordBundle!: EncryptedKeyBundleDto;

  @ApiProperty({ type: UserPublicKeysDto })
  publicKeys!: UserPublicKeysDto;

  @ApiProperty(FINGERPRINT_FIELD)
  fingerprint!: string;
}

export class LoginResponse extends SessionTokensResponse {
  @ApiProperty({ type: UserSummaryResponse })
  user!: UserSummaryResponse;

  @ApiProperty({ type: KeyBundleDto })
  keyBundle!: KeyBundleDto;
}
