/** A case's blind index: the kit's, with `fieldId` narrowed to what a case indexes (name, passport). */
import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { BlindIndexDto } from '../../sealed-records/dto/blind-index.dto';
import { BLIND_INDEX_FIELDS, type BlindIndexField } from '../../contract/case-vocabulary';

export class CaseBlindIndexDto extends BlindIndexDto {
  @ApiProperty({ enum: BLIND_INDEX_FIELDS })
  @IsIn(BLIND_INDEX_FIELDS)
  declare fieldId: BlindIndexField;
}
