/**
 * Response bodies of the case routes, built field by field by the mappers in
 * cases.mappers.ts. Clear fields, ids, and sealed material the server cannot open: a
 * column added to `cases` reaches no client until someone adds it here on purpose.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { StoredDataKeyWrapDto } from '../../sealed-records/dto/sealed-data-key.dto';
import { CASE_STATUSES, type CaseStatus } from '../../contract/case-vocabulary';
import {
  BLIND_INDEX_FIELDS,
  CASE_EVENT_TYPES,
  MAX_BLIND_INDEXES,
  DEFENDER_GROUPS,
  RISK_LEVELS,
  THREAT_TYPES,
  type BlindIndexField,
  type CaseEventType,
  type DefenderGroup,
  type RiskLevel,
  type ThreatType,
  TRANSFER_OVERRIDE_REASONS,
  type TransferOverrideReason,
} from '../../contract/case-vocabulary';
import { SignedRevisionDto } from '../../sealed-records/dto/signed-revision.dto';
import { MAX_CASE_VERSION } from './update-case.dto';
import { CASE_REFERENCE_FIELD } from './case-params.dto';
import { COUNTRY_CODE } from './create-case.dto';
import { DATE_TIME_FIELD, FINGERPRINT_FIELD, integerField, NEXT_CURSOR_FIELD, PUBLIC_KEY_FIELD, UUID_FIELD } from '../../common/openapi/api-fields';
import { PAGE_LIMIT_MAX } from '../../common/http/keyset-cursor';

const COUNTRY_FIELD = { type: String, pattern: COUNTRY_CODE.source, minLength: 2, maxLength: 2 } as const;
const NULLABLE_DATE_TIME_FIELD = { ...DATE_TIME_FIELD, nullable: true } as const;
/** The most a duplicate search answers (cases.service.ts). */
export const MAX_DUPLICATE_CANDIDATES = 50;

export class CaseSummaryResponse {
  @ApiProperty(UUID_FIELD)
  id!: string;

  @ApiProperty(CASE_REFERENCE_FIELD)
  reference!: string;

  @ApiProperty(UUID_FIELD)
  embassyId!: string;

  @ApiProperty({ enum: CASE_STATUSES })
  status!: CaseStatus;

  @ApiProperty({ enum: RISK_LEVELS })
  riskLevel!: RiskLevel;

  @ApiProperty({ enum: THREAT_TYPES, isArray: true, maxItems: THREAT_TYPES.length, uniqueItems: true })
  threatTypes!: ThreatType[];

  @ApiProperty({ enum: DEFENDER_GROUPS, isArray: true, maxItems: DEFENDER_GROUPS.length, uniqueItems: true })
  defenderGroups!: DefenderGroup[];

  @ApiProperty({ ...COUNTRY_FIELD, example: 'KE' })
  countryOfActivity!: string;

  @ApiProperty({ ...UUID_FIELD, nullable: true })
  assignedToId!: string | null;

  @ApiProperty(NULLABLE_DATE_TIME_FIELD)
  nextReviewAt!: string | null;

  @ApiProperty({ ...integerField(1, MAX_CASE_VERSION), description: 'Send it back with the next change; a stale one answers 409' })
  version!: number;

  @ApiProperty({ ...integerField(1, MAX_CASE_VERSION), description: 'The signed revision of the sealed content' })
  revision!: number;

  @ApiProperty()
  consentToTransfer!: boolean;

  @ApiProperty(NULLABLE_DATE_TIME_FIELD)
  consentToTransferAt!: string | null;

  @ApiProperty()
  consentToRefugeSharing!: boolean;

  @ApiProperty(NULLABLE_DATE_TIME_FIELD)
  consentToRefugeSharingAt!: string | null;

  @ApiProperty({ ...UUID_FIELD, description: "The case compartment's data key id" })
  keyId!: string;

  @ApiProperty(DATE_TIME_FIELD)
  createdAt!: string;

  @ApiProperty(DATE_TIME_FIELD)
  updatedAt!: string;

  @ApiProperty({ ...NULLABLE_DATE_TIME_FIELD, description: 'Set once the case was shredded' })
  shreddedAt!: string | null;
}

export class CasePage {
  @ApiProperty({ type: [CaseSummaryResponse], maxItems: PAGE_LIMIT_MAX })
  items!: CaseSummaryResponse[];

  @ApiProperty(NEXT_CURSOR_FIELD)
  nextCursor!: string | null;
}

/** A signer as the server has them on record, so that a reader can verify (and pin). */
export class SignerResponse {
  @ApiProperty(UUID_FIELD)
  userId!: string;

  @ApiProperty({ ...PUBLIC_KEY_FIELD, description: 'Registered Ed25519 key, base64url' })
  signPublicKey!: string;

  @ApiProperty({ ...PUBLIC_KEY_FIELD, description: 'Registered X25519 key, base64url: with the sign key, what the fingerprint is computed from' })
  boxPublicKey!: string;

  @ApiProperty({ ...FINGERPRINT_FIELD, description: 'Fingerprint of the registered keys, to compare with a pinned one' })
  fingerprint!: string;
}

export class SealedCaseResponse {
  @ApiProperty({ type: SignedRevisionDto, description: 'The current revision exactly as its author signed it' })
  revision!: SignedRevisionDto;

  @ApiProperty({ type: SignerResponse })
  author!: SignerResponse;

  @ApiProperty({
    type: StoredDataKeyWrapDto,
    nullable: true,
    description: "The data key sealed to the caller's embassy, with its writer's signature (null writer: unsigned, written before protocol 2)",
  })
  wrap!: StoredDataKeyWrapDto | null;

  @ApiProperty({
    type: SignerResponse,
    nullable: true,
    description: "The wrap's writer as the server has them on record, to verify the wrap by; null for an unsigned wrap or no wrap",
  })
  wrapWriter!: SignerResponse | null;
}

export class CaseResponse extends CaseSummaryResponse {
  @ApiProperty({
    type: SealedCaseResponse,
    nullable: true,
    description: 'The sealed content; null once the case was shredded (see shreddedAt)',
  })
  sealed!: SealedCaseResponse | null;
}

/** The clear facts the server records on the events it writes itself (STATUS_CHANGE, TRANSFER). */
export class CaseEventDetails {
  @ApiPropertyOptional({ enum: CASE_STATUSES, description: 'STATUS_CHANGE: the status before' })
  from?: CaseStatus;

  @ApiPropertyOptional({ enum: CASE_STATUSES, description: 'STATUS_CHANGE: the status after' })
  to?: CaseStatus;

  @ApiPropertyOptional({ ...UUID_FIELD, description: 'TRANSFER: the embassy that sent the case' })
  fromEmbassyId?: string;

  @ApiPropertyOptional({ ...UUID_FIELD, description: 'TRANSFER: the embassy that received it' })
  toEmbassyId?: string;

  @ApiPropertyOptional({ ...CASE_REFERENCE_FIELD, description: "TRANSFER: the case's reference at the sending embassy" })
  previousReference?: string;

  @ApiPropertyOptional({ ...CASE_REFERENCE_FIELD, description: 'TRANSFER: the reference the receiving embassy gave it' })
  reference?: string;

  @ApiPropertyOptional({ enum: ['consent', 'override'], description: "TRANSFER: the defender's consent, or an audited override" })
  basis?: 'consent' | 'override';

  @ApiPropertyOptional({ enum: TRANSFER_OVERRIDE_REASONS, nullable: true, description: 'TRANSFER: the reason of an override; null with consent' })
  overrideReason?: TransferOverrideReason | null;
}

export class CaseEventResponse {
  @ApiProperty(UUID_FIELD)
  id!: string;

  @ApiProperty(UUID_FIELD)
  caseId!: string;

  @ApiProperty({ enum: CASE_EVENT_TYPES })
  type!: CaseEventType;

  @ApiProperty({ type: SignerResponse, description: 'Who appended it (or whose action the server recorded)' })
  author!: SignerResponse;

  @ApiProperty({
    type: SignedRevisionDto,
    nullable: true,
    description: 'The sealed body as signed; null for server events and after a shred',
  })
  revision!: SignedRevisionDto | null;

  @ApiProperty({ type: CaseEventDetails, description: 'Clear facts of server events (statuses, embassies); empty for member events' })
  // Typed as the stored jsonb; the schema above says which keys the server writes.
  details!: Record<string, string | number | boolean | null>;

  @ApiProperty(DATE_TIME_FIELD)
  createdAt!: string;
}

export class CaseEventPage {
  @ApiProperty({ type: [CaseEventResponse], maxItems: PAGE_LIMIT_MAX })
  items!: CaseEventResponse[];

  @ApiProperty(NEXT_CURSOR_FIELD)
  nextCursor!: string | null;

  @ApiProperty({ ...UUID_FIELD, description: "The case's data key id: every body is sealed under it" })
  keyId!: string;

  @ApiProperty({ ...NULLABLE_DATE_TIME_FIELD, description: 'Set once the case was shredded: no body remains' })
  caseShreddedAt!: string | null;
}

export class DuplicateCandidateResponse {
  @ApiProperty(UUID_FIELD)
  caseId!: string;

  @ApiProperty(CASE_REFERENCE_FIELD)
  reference!: string;

  @ApiProperty({ enum: BLIND_INDEX_FIELDS })
  fieldId!: BlindIndexField;

  @ApiProperty({ ...integerField(1, MAX_BLIND_INDEXES), description: 'How many of the submitted values the case carries' })
  matches!: number;
}

export class DuplicateCandidatesResponse {
  @ApiProperty({ type: [DuplicateCandidateResponse], maxItems: MAX_DUPLICATE_CANDIDATES, description: "Within the caller's embassy only; decrypt to confirm" })
  candidates!: DuplicateCandidateResponse[];
}

export class CaseTransferredResponse {
  @ApiProperty(UUID_FIELD)
  id!: string;

  @ApiProperty(UUID_FIELD)
  fromEmbassyId!: string;

  @ApiProperty(UUID_FIELD)
  toEmbassyId!: string;

  @ApiProperty({ ...CASE_REFERENCE_FIELD, description: 'The reference the receiving embassy gave the case' })
  reference!: string;

  @ApiProperty({ description: 'True when the transfer overrode a missing consent' })
  override!: boolean;

  @ApiProperty(DATE_TIME_FIELD)
  transferredAt!: string;
}

/** What appending an event answers (and an Idempotency-Key replays): ids and time, no sealed body. */
export class CaseEventCreatedResponse {
  @ApiProperty(UUID_FIELD)
  id!: string;

  @ApiProperty(UUID_FIELD)
  caseId!: string;

  @ApiProperty({ enum: CASE_EVENT_TYPES })
  type!: CaseEventType;

  @ApiProperty(DATE_TIME_FIELD)
  createdAt!: string;
}
