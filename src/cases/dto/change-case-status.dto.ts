/**
 * POST /cases/:id/status: a transition of the state table, based on `version`.
 */
import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { CASE_STATUSES, type CaseStatus } from '../../contract/case-vocabulary';
import { VersionedRequest } from './update-case.dto';

export class ChangeCaseStatusRequest extends VersionedRequest {
  @ApiProperty({ enum: CASE_STATUSES })
  @IsIn(CASE_STATUSES)
  to!: CaseStatus;
}
