/**
 * The body of PATCH /admin/users/:id/role: the new role and the scope that goes with it
 * (users.policy.ts says which id each role needs). Sending the current role with another
 * embassy or organisation moves the user to that scope. Names the account version it is
 * based on.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { ROLES, type Role } from '../../contract/roles';
import { VersionedRequest } from './versioned.dto';

export class ChangeRoleRequest extends VersionedRequest {
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
