/** The body of POST /admin/organisations. */
import { ApiProperty } from '@nestjs/swagger';
import { IsISO31661Alpha2, IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import { COUNTRY_CODE } from './create-embassy.dto';

export class CreateOrganisationRequest {
  @ApiProperty({ maxLength: 200, description: 'Unique', example: 'Defenders Watch' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiProperty({ description: 'ISO 3166-1 alpha-2 of the seat, upper case', example: 'CH' })
  @IsString()
  @Matches(COUNTRY_CODE, { message: 'country must be two upper-case letters' })
  @IsISO31661Alpha2()
  country!: string;
}
