/**
 * Bodies of the case actions with a route of their own: status transition, assignment,
 * transfer to another embassy, shred. Each names the `version` it was based on. Transfer
 * and shred also carry the caller's signature over the act (protocol 2, signed record
 * actions), which the audit trail keeps: the version is what that signature binds, so a
 * shred from a stale view is refused (409) and the client re-reads and signs again.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateIf } from 'class-validator';
import { SignedDataKeyWrapDto } from '../../sealed-records/dto/sealed-data-key.dto';
import { CANONICAL_BASE64URL as BASE64URL } from '../../crypto/binary-encoding';
import { CASE_STATUSES, type CaseStatus } from '../../contract/case-vocabulary';
import { CASE_REFERENCE, TRANSFER_OVERRIDE_REASONS, type TransferOverrideReason } from '../../contract/case-vocabulary';
import { VersionedRequest } from './update-case.dto';
import { NestedObject } from '../../common/http/nested-validation';

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

  @ApiProperty({
    type: SignedDataKeyWrapDto,
    description: "The case's data key sealed to the receiving embassy's current team key, signed by the caller for this case",
  })
  @NestedObject(() => SignedDataKeyWrapDto)
  wrap!: SignedDataKeyWrapDto;

  @ApiProperty({
    description:
      'Ed25519 by the caller over the record action ("transfer", case, version, "TRANSFER <reference> TO <targetEmbassyId>"), 64 bytes, base64url; kept in the audit trail',
  })
  @IsString()
  @MaxLength(128)
  @Matches(BASE64URL)
  signature!: string;

  @ApiPropertyOptional({
    enum: TRANSFER_OVERRIDE_REASONS,
    description: 'Required when the defender has not consented to a transfer; audited as an override',
  })
  @IsOptional()
  @IsIn(TRANSFER_OVERRIDE_REASONS)
  overrideReason?: TransferOverrideReason;
}

export class ShredCaseRequest extends VersionedRequest {
  @ApiProperty({ example: 'SHRED KE-2026-0042', description: 'Exactly `SHRED <reference>`' })
  @IsString()
  @MaxLength(64)
  confirm!: string;

  @ApiProperty({
    description: 'Ed25519 by the caller over the record action ("shred", case, version, the confirmation), 64 bytes, base64url; kept in the audit trail',
  })
  @IsString()
  @MaxLength(128)
  @Matches(BASE64URL)
  signature!: string;
}
