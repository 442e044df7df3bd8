/** Keyset pages of the data keys sealed to the caller's scope. */
import { ApiProperty } from '@nestjs/swagger';
import { UUID_FIELD } from '../../common/openapi/api-fields';
import { StoredDataKeyWrapDto } from '../../sealed-records/dto/sealed-data-key.dto';
import { MAX_DATA_KEYS_PAGE } from './key-limits';

export class SealedDataKeysPageResponse {
  @ApiProperty({
    type: [StoredDataKeyWrapDto],
    maxItems: MAX_DATA_KEYS_PAGE,
    description: 'Each with the record it belongs to and its writer signature (null: unsigned, protocol 1)',
  })
  dataKeys!: StoredDataKeyWrapDto[];

  @ApiProperty({ ...UUID_FIELD, nullable: true, description: 'Pass as `after` for the next page; null on the last' })
  nextAfter!: string | null;
}
