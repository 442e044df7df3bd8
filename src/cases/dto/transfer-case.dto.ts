/**
 * POST /cases/:id/transfer: the receiving embassy, the case key sealed to it and signed, the
 * caller's signature over the act (kept in the audit trail), based on `version`; without
 * the defender's consent, an override reason.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { SignedDataKeyWrapDto } from '../../sealed-records/dto/sealed-data-key.dto';
import { CANONICAL_BASE64URL as BASE64URL } from '../../crypto/binary-encoding';
import { TRANSFER_OVERRIDE_REASONS, type TransferOverrideReason } from '../../contract/case-vocabulary';
import { VersionedRequest } from './update-case.dto';
import { NestedObject } from '../../common/http/nested-validation';

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
