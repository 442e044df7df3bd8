/**
 * A blind index as it arrives over HTTP (docs/protocol.md §5.9): which indexed field, and
 * the keyed BLAKE2b-128 of its normalised value under the reading scope's team key. The
 * server can compare two of them and learns nothing else. Each record type narrows
 * `fieldId` to its own indexed fields by extending this class (cases: CaseBlindIndexDto).
 */
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
import { CANONICAL_BASE64URL } from '../../crypto/binary-encoding';
import { PROTOCOL_IDENTIFIER } from './signed-revision.dto';

/** base64url of the 16-byte BLAKE2b-128 output. */
export const BLIND_INDEX_LENGTH = 22;

export class BlindIndexDto {
  @ApiProperty({ description: 'The indexed field, as the record type names it' })
  @IsString()
  @Matches(PROTOCOL_IDENTIFIER)
  fieldId!: string;

  @ApiProperty({ description: "BLAKE2b-128 under the reading scope's team key, base64url (docs/protocol.md §5.9)" })
  @IsString()
  @Length(BLIND_INDEX_LENGTH, BLIND_INDEX_LENGTH)
  @Matches(CANONICAL_BASE64URL)
  value!: string;
}
