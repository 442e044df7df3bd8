/**
 * Response bodies of the case routes, built field by field by the mappers in
 * cases.mappers.ts. Clear fields, ids, and sealed material the server cannot open: a
 * column added to `cases` reaches no client until someone adds it here on purpose.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { StoredDataKeyWrapDto } from '../../keys/dto/key-material.dto';
import { CASE_STATUSES, type CaseStatus } from '../case-status';
import {
  BLIND_INDEX_FIELDS,
  CASE_EVENT_TYPES,
  DEFENDER_GROUPS,
  RISK_LEVELS,
  THREAT_TYPES,
  type BlindIndexField,
  type CaseEventType,
  type DefenderGroup,
  type RiskLevel,
  type ThreatType,
} from '../case-vocabulary';
import { SignedRevisionDto } from './case-material.dto';

export class CaseSummaryResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'KE-2026-0042' })
  reference!: string;

  @ApiProperty({ format: 'uuid' })
  embassyId!: string;

  @ApiProperty({ enum: CASE_STATUSES })
  status!: CaseStatus;

  @ApiProperty({ enum: RISK_LEVELS })
  riskLevel!: RiskLevel;

  @ApiProperty({ enum: THREAT_TYPES, isArray: true })
  threatTypes!: ThreatType[];

  @ApiProperty({ enum: DEFENDER_GROUPS, isArray: true })
  defenderGroups!: DefenderGroup[];

  @ApiProperty({ example: 'KE' })
  countryOfActivity!: string;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  assignedToId!: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  nextReviewAt!: string | null;

  @ApiProperty({ description: 'Send it back with the next change; a stale one answers 409' })
  version!: number;

  @ApiProperty({ description: 'The signed revision of the sealed content' })
  revision!: number;

  @ApiProperty()
  consentToTransfer!: boolean;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  consentToTransferAt!: string | null;

  @ApiProperty()
  consentToRefugeSharing!: boolean;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  consentToRefugeSharingAt!: string | null;

  @ApiProperty({ format: 'uuid', description: "The case compartment's data key id" })
  keyId!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'Set once the case was shredded' })
  shreddedAt!: string | null;
}

export class CasePage {
  @ApiProperty({ type: [CaseSummaryResponse] })
  items!: CaseSummaryResponse[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as ?cursor= for the next page; null on the last' })
  nextCursor!: string | null;
}

/** A signer as the server has them on record, so that a reader can verify (and pin). */
export class SignerResponse {
  @ApiProperty({ format: 'uuid' })
  userId!: string;

  @ApiProperty({ description: 'Registered Ed25519 key, base64url' })
  signPublicKey!: string;

  @ApiProperty({ description: 'Registered X25519 key, base64url: with the sign key, what the fingerprint is computed from' })
  boxPublicKey!: string;

  @ApiProperty({ description: 'Fingerprint of the registered keys, to compare with a pinned one' })
  fingerprint!: string;
}

export class SealedCaseResponse {
  @ApiProperty({ type: SignedRevisionDto, description: 'The current revision exactly as its author signed it' })
  revision!: SignedRevisionDto;

  @ApiProperty({ type: SignerResponse })
  author!: SignerResponse;

  @ApiPropertyOptional({
    type: StoredDataKeyWrapDto,
    nullable: true,
    description: "The data key sealed to the caller's embassy, with its writer's signature (null writer: unsigned, written before protocol 2)",
  })
  wrap!: StoredDataKeyWrapDto | null;

  @ApiPropertyOptional({
    type: SignerResponse,
    nullable: true,
    description: "The wrap's writer as the server has them on record, to verify the wrap by; null for an unsigned wrap or no wrap",
  })
  wrapWriter!: SignerResponse | null;
}

export class CaseResponse extends CaseSummaryResponse {
  @ApiPropertyOptional({
    type: SealedCaseResponse,
    nullable: true,
    description: 'The sealed content; null once the case was shredded (see shreddedAt)',
  })
  sealed!: SealedCaseResponse | null;
}

export class CaseEventResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  caseId!: string;

  @ApiProperty({ enum: CASE_EVENT_TYPES })
  type!: CaseEventType;

  @ApiProperty({ type: SignerResponse, description: 'Who appended it (or whose action the server recorded)' })
  author!: SignerResponse;

  @ApiPropertyOptional({
    type: SignedRevisionDto,
    nullable: true,
    description: 'The sealed body as signed; null for server events and after a shred',
  })
  revision!: SignedRevisionDto | null;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Clear facts of server events: statuses, embassies' })
  details!: Record<string, string | number | boolean | null>;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class CaseEventPage {
  @ApiProperty({ type: [CaseEventResponse] })
  items!: CaseEventResponse[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;

  @ApiProperty({ format: 'uuid', description: "The case's data key id: every body is sealed under it" })
  keyId!: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'Set once the case was shredded: no body remains' })
  caseShreddedAt!: string | null;
}

export class DuplicateCandidateResponse {
  @ApiProperty({ format: 'uuid' })
  caseId!: string;

  @ApiProperty()
  reference!: string;

  @ApiProperty({ enum: BLIND_INDEX_FIELDS })
  fieldId!: BlindIndexField;

  @ApiProperty({ description: 'How many of the submitted values the case carries' })
  matches!: number;
}

export class DuplicateCandidatesResponse {
  @ApiProperty({ type: [DuplicateCandidateResponse], description: "Within the caller's embassy only; decrypt to confirm" })
  candidates!: DuplicateCandidateResponse[];
}

export class CaseTransferredResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  fromEmbassyId!: string;

  @ApiProperty({ format: 'uuid' })
  toEmbassyId!: string;

  @ApiProperty({ description: 'The reference the receiving embassy gave the case' })
  reference!: string;

  @ApiProperty({ description: 'True when the transfer overrode a missing consent' })
  override!: boolean;

  @ApiProperty({ format: 'date-time' })
  transferredAt!: string;
}

/** What appending an event answers (and an Idempotency-Key replays): ids and time, no sealed body. */
export class CaseEventCreatedResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  caseId!: string;

  @ApiProperty({ enum: CASE_EVENT_TYPES })
  type!: CaseEventType;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}
