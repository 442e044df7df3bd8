/**
 * The body of POST /admin/invitations. Shapes only; whether the role and the scope ids
 * agree is users.policy.ts's rule, checked by the service so that the error names the
 * offending field.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { IsEmailAddress } from '../../common/http/email-address';
import { ROLES, type Role } from '../../contract/roles';
import { DISPLAY_NAME_ALLOWED, DISPLAY_NAME_MAX_LENGTH } from '../../contract/display-name';

export class CreateInvitationRequest {
  @ApiProperty({ maxLength: 254, example: 'contact@embassy.example' })
  @IsEmailAddress()
  @MaxLength(254)
  email!: string;

  @ApiPropertyOptional({
    maxLength: DISPLAY_NAME_MAX_LENGTH,
    example: 'Amina Wanjiru',
    description: 'Shown wherever the member appears, in clear (docs/identity.md); no control characters',
  })
  @IsOptional()
  @IsString()
  @MaxLength(DISPLAY_NAME_MAX_LENGTH)
  @Matches(DISPLAY_NAME_ALLOWED, { message: 'displayName must not contain control, line-separator or bidirectional-override characters' })
  displayName?: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;

  @ApiPropertyOptional({ format: 'uuid', description: 'Required for EMBASSY_CONTACT, absent otherwise' })
  @IsOptional()
  @IsUUID()
  embassyId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Required for NGO, absent otherwise' })
  @IsOptional()
  @IsUUID()
  organisationId?: string;
}
