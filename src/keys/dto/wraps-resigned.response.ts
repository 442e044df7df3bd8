/** `POST /keys/team/wrap-signatures`: how many wraps now carry the caller as writer. */
import { ApiProperty } from '@nestjs/swagger';
import { integerField, UUID_FIELD } from '../../common/openapi/api-fields';
import { GENERATION_FIELD, MAX_WRAP_SIGNATURES } from './key-limits';

export class WrapsResignedResponse {
  @ApiProperty(UUID_FIELD)
  scopeId!: string;

  @ApiProperty({ ...GENERATION_FIELD, description: 'The current generation the wraps are sealed to' })
  generation!: number;

  @ApiProperty({ ...integerField(1, MAX_WRAP_SIGNATURES), description: 'How many wraps now carry the caller as writer' })
  resigned!: number;
}
