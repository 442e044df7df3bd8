/**
 * A signed revision as it arrives over HTTP, for every sealed record type: the envelopes
 * of the record's sealed fields with the author's signature. class-validator
 * checks shapes and bounds, naming each field; what the bytes must be (envelope layout,
 * key ids, the signature) is checked by the protocol validators of src/crypto in the
 * service, so there is one definition of "well-formed".
 *
 * These classes implement the protocol's interfaces, so the SDK builds them with its
 * crypto and sends them unchanged. They must never gain a field a plaintext could travel in.
 */
import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { MAX_ENVELOPE_STRING_LENGTH, MAX_FIELDS_PER_REVISION } from '../../crypto/protocol-constants';
import type { SealedFieldEntry, SignedRevision } from '../../crypto/revision-payload';
import { CANONICAL_BASE64URL as BASE64URL } from '../../crypto/binary-encoding';
import { NestedObjects } from '../../common/http/nested-validation';

/** docs/protocol.md §1: identifiers of entities and fields. */
export const PROTOCOL_IDENTIFIER = /^[a-z][a-z0-9_.-]{0,63}$/;
const MAX_REVISION = 0x7fff_ffff;

export class SealedFieldEntryDto implements SealedFieldEntry {
  @ApiProperty({ example: 'identity' })
  @IsString()
  @MaxLength(64)
  @Matches(PROTOCOL_IDENTIFIER)
  field!: string;

  @ApiProperty({ description: 'The field envelope (docs/protocol.md §5.1), base64url', maxLength: MAX_ENVELOPE_STRING_LENGTH })
  @IsString()
  @MaxLength(MAX_ENVELOPE_STRING_LENGTH)
  @Matches(BASE64URL)
  envelope!: string;
}

export class SignedRevisionDto implements SignedRevision {
  @ApiProperty({ example: 'case', description: 'The protocol entity of the record: `case` for a case, `case_event` for a timeline event' })
  @IsString()
  @MaxLength(64)
  @Matches(PROTOCOL_IDENTIFIER)
  entity!: string;

  @ApiProperty({ format: 'uuid', description: 'The record id, as bound into every envelope' })
  @IsUUID()
  recordId!: string;

  @ApiProperty({ minimum: 1, description: 'The signed revision number: 1 on create, +1 on each change of sealed content' })
  @IsInt()
  @Min(1)
  @Max(MAX_REVISION)
  version!: number;

  @ApiProperty({ format: 'uuid', description: 'The signer; must be the caller' })
  @IsUUID()
  authorUserId!: string;

  @ApiProperty({ type: [SealedFieldEntryDto], maxItems: MAX_FIELDS_PER_REVISION })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_FIELDS_PER_REVISION)
  @NestedObjects(() => SealedFieldEntryDto)
  envelopes!: SealedFieldEntryDto[];

  @ApiProperty({ description: 'Ed25519 by the author over the revision (docs/protocol.md §5.8), 64 bytes, base64url' })
  @IsString()
  @MaxLength(128)
  @Matches(BASE64URL)
  signature!: string;
}
