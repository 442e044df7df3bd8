/** `POST /keys/team/wrap-signatures`: the caller's signatures over unsigned wraps (docs/protocol.md §5.13). */
import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { NestedObjects } from '../../common/http/nested-validation';
import { CANONICAL_BASE64URL as BASE64URL } from '../../crypto/binary-encoding';
import { MAX_WRAP_SIGNATURES } from './key-limits';

/** The caller's signature over one stored wrap, as it is stored (writer = the caller). */
export class WrapSignatureDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  keyId!: string;

  @ApiProperty({ description: 'Ed25519 by the caller over the wrap message of the stored row, 64 bytes, base64url' })
  @IsString()
  @MaxLength(128)
  @Matches(BASE64URL)
  signature!: string;
}

export class ResignWrapsRequest {
  @ApiProperty({ type: [WrapSignatureDto], maxItems: MAX_WRAP_SIGNATURES, description: "Unsigned wraps of my scope's current generation, each once" })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_WRAP_SIGNATURES)
  @NestedObjects(() => WrapSignatureDto)
  signatures!: WrapSignatureDto[];
}
