/** The body of POST /auth/enrol: the invitation code, the invitee's e-mail and the key material their client made. */
import { ApiProperty } from '@nestjs/swagger';
import { Length, Matches, MaxLength } from 'class-validator';
import { IsEmailAddress } from '../../common/http/email-address';
import { NestedObject } from '../../common/http/nested-validation';
import { OPAQUE_TOKEN, OPAQUE_TOKEN_LENGTH } from '../../common/openapi/api-fields';
import { EnrolmentKeyMaterialDto } from './enrolment-key-material.dto';

export class EnrolRequest {
  @ApiProperty({ description: 'The one-time invitation code, delivered out of band' })
  @Length(OPAQUE_TOKEN_LENGTH, OPAQUE_TOKEN_LENGTH)
  @Matches(OPAQUE_TOKEN)
  invitationCode!: string;

  @ApiProperty({ example: 'contact@embassy.example' })
  @IsEmailAddress()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ type: EnrolmentKeyMaterialDto })
  @NestedObject(() => EnrolmentKeyMaterialDto)
  keys!: EnrolmentKeyMaterialDto;
}
