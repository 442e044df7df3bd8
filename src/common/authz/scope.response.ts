/** A role's scope as every response that names one shows it: its kind and id. */
import { ApiProperty } from '@nestjs/swagger';
import { SCOPE_TYPES, type ScopeType } from '../../contract/roles';
import { UUID_FIELD } from '../openapi/api-fields';

export class ScopeDto {
  @ApiProperty({ enum: SCOPE_TYPES })
  type!: ScopeType;

  @ApiProperty({ ...UUID_FIELD, nullable: true, description: "The embassy's or organisation's id, the network's fixed id, or null for the system scope" })
  id!: string | null;
}
