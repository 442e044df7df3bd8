/**
 * The body of POST /admin/invitations. Shapes only; whether the role and the scope ids
 * agree is users.policy.ts's rule, checked by the service so that the error names the
 * offending field.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsUUID, MaxLength } from 'class-validator';
import { ROLES, type Role } from '../../common/authz/roles';

export class CreateInvitationRequest {
  @ApiProperty({ maxLength: 254, example: 'contact@embassy.example' })
  @IsEmail()
  @MaxLength(254)
  email!: string;

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
  organizationId?: string;
}
