/** The body of POST /admin/embassies. */
import { ApiProperty } from '@nestjs/swagger';
import { IsISO31661Alpha2, IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';

/** Upper case only: `fr` and `FR` must not become two spellings of one country in statistics. */
export const COUNTRY_CODE = /^[A-Z]{2}$/;
/** Embassy and organisation names; the columns are as long. */
export const NAME_MAX_LENGTH = 200;
export const CITY_MAX_LENGTH = 100;

export class CreateEmbassyRequest {
  @ApiProperty({ example: 'Embassy of France in Nairobi' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(NAME_MAX_LENGTH)
  name!: string;

  @ApiProperty({ description: 'ISO 3166-1 alpha-2, upper case', example: 'KE' })
  @IsString()
  @Matches(COUNTRY_CODE, { message: 'country must be two upper-case letters' })
  @IsISO31661Alpha2()
  country!: string;

  @ApiProperty({ example: 'Nairobi' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(CITY_MAX_LENGTH)
  city!: string;
}
