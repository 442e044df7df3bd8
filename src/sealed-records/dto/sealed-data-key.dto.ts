/**
 * A record's data key sealed to a scope's team key (docs/protocol.md §5.5), in the forms
 * the API carries: as a client writes it, bound to one record and signed (protocol 2,
 * §5.13), and as stored and served. Part of the sealed-record kit: every feature that
 * seals records takes and returns these; the keyring (keys/) checks and stores them.
 * class-validator checks shapes and bounds; the protocol's validators (src/crypto) the bytes.
 */
import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import type { SignedDataKeyWrap, StoredDataKeyWrap } from '../../crypto/data-key-wrap-payload';
import type { SealedDataKey } from '../../crypto/key-bundles';
import { CANONICAL_BASE64URL as BASE64URL } from '../../crypto/binary-encoding';
import { IDENTIFIER_PATTERN, MAX_TEAM_GENERATION } from '../../crypto/protocol-constants';
import { SIGNATURE_FIELD, UUID_FIELD } from '../../common/openapi/api-fields';


export class SealedDataKeyDto implements SealedDataKey {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  keyId!: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  scopeId!: string;

  @ApiProperty({ minimum: 1, maximum: MAX_TEAM_GENERATION })
  @IsInt()
  @Min(1)
  @Max(MAX_TEAM_GENERATION)
  generation!: number;

  @ApiProperty({ description: 'crypto_box_seal(keyId ‖ data key) to T_g, 96 bytes, base64url' })
  @IsString()
  @MaxLength(192)
  @Matches(BASE64URL)
  sealed!: string;
}

/** A sealed data key bound by its writer's signature to one record (protocol 2): what clients write. */
export class SignedDataKeyWrapDto extends SealedDataKeyDto implements SignedDataKeyWrap {
  @ApiProperty({ example: 'case', description: 'The entity of the record the key belongs to' })
  @IsString()
  @MaxLength(64)
  @Matches(IDENTIFIER_PATTERN)
  entity!: string;

  @ApiProperty({ format: 'uuid', description: 'The record the key belongs to' })
  @IsUUID()
  recordId!: string;

  @ApiProperty({ format: 'uuid', description: 'The signer; must be the caller' })
  @IsUUID()
  writerUserId!: string;

  @ApiProperty({ description: 'Ed25519 by the writer over the wrap message, 64 bytes, base64url' })
  @IsString()
  @MaxLength(128)
  @Matches(BASE64URL)
  signature!: string;
}

/** A wrap as stored and served: writer and signature are null for a wrap written before protocol 2. */
export class StoredDataKeyWrapDto extends SealedDataKeyDto implements StoredDataKeyWrap {
  @ApiProperty({ example: 'case', pattern: IDENTIFIER_PATTERN.source, maxLength: 64 })
  entity!: string;

  @ApiProperty(UUID_FIELD)
  recordId!: string;

  @ApiProperty({ ...UUID_FIELD, nullable: true, description: 'null: an unsigned wrap of protocol 1, refused by readers until re-signed' })
  writerUserId!: string | null;

  @ApiProperty({ ...SIGNATURE_FIELD, nullable: true, description: 'Ed25519 by the writer, base64url; null with writerUserId' })
  signature!: string | null;
}
