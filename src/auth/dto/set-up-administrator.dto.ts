/** The body of POST /setup: the one-time setup token and the first administrator's e-mail and key material. */
import { ApiProperty } from '@nestjs/swagger';
import { Length, Matches, MaxLength } from 'class-validator';
import { IsEmailAddress } from '../../common/http/email-address';
import { NestedObject } from '../../common/http/nested-validation';
import { OPAQUE_TOKEN, OPAQUE_TOKEN_LENGTH } from '../../common/openapi/api-fields';
import { EnrolmentKeyMaterialDto } from './enrolment-key-material.dto';

export class SetupRequest {
  @ApiProperty({ description: 'The one-time setup token printed at first start' })
  @Length(OPAQUE_TOKEN_LENGTH, OPAQUE_TOKEN_LENGTH)
  @Matches(OPAQUE_TOKEN)
  setupToken!: string;

  @ApiProperty({ example: 'admin@egide.example' })
  @IsEmailAddress()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ type: EnrolmentKeyMaterialDto })
  @NestedObject(() => EnrolmentKeyMaterialDto)
  keys!: EnrolmentKeyMaterialDto;
}
