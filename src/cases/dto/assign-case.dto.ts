/**
 * POST /cases/:id/assign: an active contact of the embassy, or null, based on `version`.
 */
import { ApiProperty } from '@nestjs/swagger';
import { IsUUID, ValidateIf } from 'class-validator';
import { VersionedRequest } from './update-case.dto';

export class AssignCaseRequest extends VersionedRequest {
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'An active contact of the embassy, or null to unassign' })
  @ValidateIf((_object, value) => value !== null)
  @IsUUID()
  assigneeId!: string | null;
}
