/**
 * Bodies of the case actions with a route of their own: status transition, assignment,
 * transfer to another embassy, shred. Each names the `version` it was based on, except
 * shred, whose typed confirmation is the deliberate act (a stale view must not stop an
 * emergency erase).
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength, ValidateIf, ValidateNested } from 'class-validator';
import { SealedDataKeyDto } from '../../keys/dto/key-material.dto';
import { CASE_STATUSES, type CaseStatus } from '../case-status';
import { TRANSFER_OVERRIDE_REASONS, type TransferOverrideReason } from '../case-vocabulary';
import { VersionedRequest } from './update-case.dto';

export class CaseIdParam {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id!: string;
}

export class ChangeCaseStatusRequest extends VersionedRequest {
  @ApiProperty({ enum: CASE_STATUSES })
  @IsIn(CASE_STATUSES)
  to!: CaseStatus;
}

export class AssignCaseRequest extends VersionedRequest {
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'An active contact of the embassy, or null to unassign' })
  @ValidateIf((_object, value) => value !== null)
  @IsUUID()
  assigneeId!: string | null;
}

export class TransferCaseRequest extends VersionedRequest {
  @ApiProperty({ format: 'uuid', description: 'The receiving embassy' })
  @IsUUID()
  targetEmbassyId!: string;

  @ApiProperty({ type: SealedDataKeyDto, description: "The case's data key sealed to the receiving embassy's current team key" })
  @ValidateNested()
  @Type(() => SealedDataKeyDto)
  wrap!: SealedDataKeyDto;

  @ApiPropertyOptional({
    enum: TRANSFER_OVERRIDE_REASONS,
    description: 'Required when the defender has not consented to a transfer; audited as an override',
  })
  @IsOptional()
  @IsIn(TRANSFER_OVERRIDE_REASONS)
  overrideReason?: TransferOverrideReason;
}

export class ShredCaseRequest {
  @ApiProperty({ example: 'SHRED KE-2026-0042', description: 'Exactly `SHRED <reference>`' })
  @IsString()
  @MaxLength(64)
  confirm!: string;
}
