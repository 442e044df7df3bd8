/**
 * POST /cases/duplicate-search: blind indexes of one field, computed by the client under
 * its embassy's current team key; answers the ids of the caller's embassy's cases that
 * carry any of them. A POST, not a GET: index values stay out of URLs and proxy logs.
 */
import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsString, Length, Matches } from 'class-validator';
import { CANONICAL_BASE64URL as BASE64URL } from '../../crypto/binary-encoding';
import { BLIND_INDEX_LENGTH } from '../../sealed-records/dto/blind-index.dto';
import { BLIND_INDEX_FIELDS, MAX_BLIND_INDEXES, type BlindIndexField } from '../../contract/case-vocabulary';

export class DuplicateSearchRequest {
  @ApiProperty({ enum: BLIND_INDEX_FIELDS })
  @IsIn(BLIND_INDEX_FIELDS)
  fieldId!: BlindIndexField;

  @ApiProperty({ type: [String], maxItems: MAX_BLIND_INDEXES })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BLIND_INDEXES)
  @IsString({ each: true })
  @Length(BLIND_INDEX_LENGTH, BLIND_INDEX_LENGTH, { each: true })
  @Matches(BASE64URL, { each: true })
  values!: string[];
}
