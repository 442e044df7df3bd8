/**
 * Path parameters of the case routes: a case id, or a case reference as people quote it.
 */
import { ApiProperty } from '@nestjs/swagger';
import { IsUUID, Matches, MaxLength } from 'class-validator';
import { CASE_REFERENCE } from '../../contract/case-vocabulary';

export class CaseIdParam {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id!: string;
}

/** A case reference as the server allocates it (`KE-2026-0042`): country, year, a sequence number. */
export const CASE_REFERENCE_MAX_LENGTH = 32;
export const CASE_REFERENCE_FIELD = { type: String, example: 'KE-2026-0042', pattern: CASE_REFERENCE.source, maxLength: CASE_REFERENCE_MAX_LENGTH } as const;

/** GET /cases/by-reference/:reference: a reference as the server allocates it, upper case. */
export class CaseReferenceParam {
  @ApiProperty({ example: 'KE-2026-0042' })
  @MaxLength(CASE_REFERENCE_MAX_LENGTH)
  @Matches(CASE_REFERENCE, { message: 'reference must be a case reference like KE-2026-0042 (upper case)' })
  reference!: string;
}
