/** The body of POST /admin/organisations. */
import { ApiProperty } from '@nestjs/swagger';
import { IsISO31661Alpha2, IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import { COUNTRY_CODE, NAME_MAX_LENGTH } from './create-embassy.dto';

export class CreateOrganisationRequest {
  @ApiProperty({ description: 'Unique', example: 'Defenders Watch' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(NAME_MAX_LENGTH)
  name!: string;

  @ApiProperty({ description: 'ISO 3166-1 alpha-2 of the seat, upper case', example: 'CH' })
  @IsString()
  @Matches(COUNTRY_CODE, { message: 'country must be two upper-case letters' })
  @IsISO31661Alpha2()
  country!: string;
}
