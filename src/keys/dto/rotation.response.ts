/**
 * A rotation of the caller's scope (docs/protocol.md §5.16): the new generation's team
 * key, with the rotation's state and counts, as its start, each chunk, its completion and
 * `GET /keys/team/rotations/current` return it.
 */
import { ApiProperty } from '@nestjs/swagger';
import { DATE_TIME_FIELD, integerField, UUID_FIELD } from '../../common/openapi/api-fields';
import { ROTATION_STATES, type RotationState } from '../rotation-state';
import { StoredDataKeyWrapDto } from '../../sealed-records/dto/sealed-data-key.dto';
import { GENERATION_FIELD, MAX_DATA_KEYS_COUNTED, MAX_DATA_KEYS_PAGE, MAX_ROTATION_CHUNK, MAX_ROTATION_GRANTS } from './key-limits';
import { TeamPublicKeyResponse } from './team-key.response';

const COUNT_FIELD = integerField(0, MAX_DATA_KEYS_COUNTED);

/** The new generation (generation, teamBoxPublicKey, fingerprint, createdAt) and the rotation that brings the scope's data keys to it. */
export class RotationResponse extends TeamPublicKeyResponse {
  @ApiProperty({ ...UUID_FIELD, description: 'Names the rotation in its chunk, page and completion routes' })
  rotationId!: string;

  @ApiProperty({ enum: ROTATION_STATES, description: 'IN_PROGRESS until no data key of the scope lacks a wrap of the new generation and a member completed it' })
  state!: RotationState;

  @ApiProperty({ ...GENERATION_FIELD, description: 'The generation rotated from (generation − 1)' })
  previousGeneration!: number;

  @ApiProperty({ ...UUID_FIELD, description: 'The member who started it' })
  startedBy!: string;

  @ApiProperty(DATE_TIME_FIELD)
  startedAt!: string;

  @ApiProperty({ ...DATE_TIME_FIELD, nullable: true })
  completedAt!: string | null;

  @ApiProperty({ ...integerField(0, MAX_ROTATION_GRANTS), description: 'Grants of the new generation made at the start' })
  grantsCreated!: number;

  @ApiProperty({ ...COUNT_FIELD, description: 'Data keys sealed to the previous generation when the rotation started' })
  dataKeysTotal!: number;

  @ApiProperty({ ...COUNT_FIELD, description: 'Data keys re-sealed to the new generation by this rotation so far' })
  dataKeysResealed!: number;

  @ApiProperty({ ...integerField(0, 2_147_483_647), description: 'Chunks accepted so far (the start counts as one when it carried data keys)' })
  chunks!: number;
}

/** `POST /keys/team/rotations/:rotationId/chunks`: the rotation after the chunk, and what the chunk did. */
export class RotationChunkResponse {
  @ApiProperty({ type: RotationResponse })
  rotation!: RotationResponse;

  @ApiProperty({ ...integerField(0, MAX_ROTATION_CHUNK), description: 'Wraps of the new generation this chunk wrote' })
  resealed!: number;

  @ApiProperty({
    ...integerField(0, MAX_ROTATION_CHUNK),
    description: 'Keys of the chunk that already had a wrap of the new generation (a chunk sent twice), left as they were',
  })
  alreadyResealed!: number;

  @ApiProperty({
    ...integerField(0, MAX_ROTATION_CHUNK),
    description: 'Keys of the chunk the scope no longer holds under the previous generation (shredded or transferred meanwhile), ignored',
  })
  gone!: number;
}

/** A page of the data keys still awaiting the rotation: their wraps of the previous generation, to open and re-seal. */
export class PendingDataKeysPage {
  @ApiProperty(UUID_FIELD)
  rotationId!: string;

  @ApiProperty({
    type: [StoredDataKeyWrapDto],
    maxItems: MAX_DATA_KEYS_PAGE,
    description: "Wraps of the rotation's previous generation whose key has no wrap of the new one yet, by keyId",
  })
  dataKeys!: StoredDataKeyWrapDto[];

  @ApiProperty({
    ...UUID_FIELD,
    nullable: true,
    description: 'Pass as `after` for the next page (a page may hold fewer keys than `limit`, even none, and still have one); null when the walk is over',
  })
  nextAfter!: string | null;
}
