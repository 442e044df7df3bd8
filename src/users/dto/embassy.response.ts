/** What the API says about an embassy, built by `toEmbassyResponse` (users.mappers.ts) from a repository row. */
import { ApiProperty } from '@nestjs/swagger';
import { PAGE_LIMIT_MAX } from '../../common/http/keyset-cursor';
import { DATE_TIME_FIELD, integerField, NEXT_CURSOR_FIELD, UUID_FIELD } from '../../common/openapi/api-fields';
import { MAX_RECORD_VERSION } from './versioned.dto';
import { CITY_MAX_LENGTH, COUNTRY_CODE, NAME_MAX_LENGTH } from './create-embassy.dto';

export class EmbassyResponse {
  @ApiProperty(UUID_FIELD)
  id!: string;

  @ApiProperty({ type: String, minLength: 1, maxLength: NAME_MAX_LENGTH })
  name!: string;

  @ApiProperty({ type: String, pattern: COUNTRY_CODE.source, minLength: 2, maxLength: 2, description: 'ISO 3166-1 alpha-2, upper case' })
  country!: string;

  @ApiProperty({ type: String, minLength: 1, maxLength: CITY_MAX_LENGTH })
  city!: string;

  @ApiProperty(DATE_TIME_FIELD)
  createdAt!: string;

  @ApiProperty(DATE_TIME_FIELD)
  updatedAt!: string;

  @ApiProperty({ ...integerField(1, MAX_RECORD_VERSION), description: 'Moves on every update; send it back with the next one' })
  version!: number;
}

export class EmbassyPage {
  @ApiProperty({ type: [EmbassyResponse], maxItems: PAGE_LIMIT_MAX })
  items!: EmbassyResponse[];

  @ApiProperty(NEXT_CURSOR_FIELD)
  nextCursor!: string | null;
}
