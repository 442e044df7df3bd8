/** The body of PATCH /admin/embassies/:id: the version it is based on, and any of the fields, at least one (checked by the service). */
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO31661Alpha2, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { CITY_MAX_LENGTH, COUNTRY_CODE, NAME_MAX_LENGTH } from './create-embassy.dto';
import { VersionedRequest } from './versioned.dto';

export class UpdateEmbassyRequest extends VersionedRequest {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(NAME_MAX_LENGTH)
  name?: string;

  @ApiPropertyOptional({ description: 'ISO 3166-1 alpha-2, upper case' })
  @IsOptional()
  @IsString()
  @Matches(COUNTRY_CODE, { message: 'country must be two upper-case letters' })
  @IsISO31661Alpha2()
  country?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(CITY_MAX_LENGTH)
  city?: string;
}
