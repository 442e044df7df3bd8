/** The body of PATCH /admin/embassies/:id: any of the fields, at least one (checked by the service). */
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO31661Alpha2, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { COUNTRY_CODE } from './create-embassy.dto';

export class UpdateEmbassyRequest {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ description: 'ISO 3166-1 alpha-2, upper case' })
  @IsOptional()
  @IsString()
  @Matches(COUNTRY_CODE, { message: 'country must be two upper-case letters' })
  @IsISO31661Alpha2()
  country?: string;

  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  city?: string;
}
