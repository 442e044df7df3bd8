/**
 * The version an administrative update is based on: every PATCH of an embassy or an
 * organisation and every change of an account's role, scope or status names the `version`
 * it read, and a stale one is refused with 409 `conflict`, reason `stale-version` (docs/api.md) instead of
 * silently overwriting a change the administrator never saw.
 */
import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';

/** Far beyond any real count of administrative changes; keeps the value an int4. */
export const MAX_RECORD_VERSION = 2_000_000_000;

export class VersionedRequest {
  @ApiProperty({ minimum: 1, maximum: MAX_RECORD_VERSION, description: 'The version this change is based on (from the last read)' })
  @IsInt()
  @Min(1)
  @Max(MAX_RECORD_VERSION)
  version!: number;
}
