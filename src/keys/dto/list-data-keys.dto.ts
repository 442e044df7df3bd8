/**
 * `GET /keys/team/data-keys` and `GET /keys/team/rotations/:rotationId/pending-data-keys`:
 * keyset pages by key id.
 */
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { MAX_DATA_KEYS_PAGE } from './key-limits';

export class ListDataKeysQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'The last keyId of the previous page' })
  @IsOptional()
  @IsUUID()
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_DATA_KEYS_PAGE, default: MAX_DATA_KEYS_PAGE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_DATA_KEYS_PAGE)
  limit?: number;
}
