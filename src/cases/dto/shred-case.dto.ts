/**
 * POST /cases/:id/shred: the typed confirmation and the caller's signature over it, based on
 * `version` (the version is what the signature binds: a shred from a stale view is 409).
 */
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';
import { CANONICAL_BASE64URL as BASE64URL } from '../../crypto/binary-encoding';
import { VersionedRequest } from './update-case.dto';

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
