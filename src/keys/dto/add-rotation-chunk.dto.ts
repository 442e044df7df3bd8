/**
 * `POST /keys/team/rotations/:rotationId/chunks`: data keys awaiting the rotation,
 * re-sealed to its new generation and signed by the caller (docs/protocol.md §5.16).
 */
import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray } from 'class-validator';
import { NestedObjects } from '../../common/http/nested-validation';
import { SignedDataKeyWrapDto } from '../../sealed-records/dto/sealed-data-key.dto';
import { MAX_ROTATION_CHUNK } from './key-limits';

export class AddRotationChunkRequest {
  @ApiProperty({
    type: [SignedDataKeyWrapDto],
    maxItems: MAX_ROTATION_CHUNK,
    description: "Each a data key of the scope, sealed to the rotation's new generation, signed by the caller for the record its stored wrap names; each key once",
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ROTATION_CHUNK)
  @NestedObjects(() => SignedDataKeyWrapDto)
  resealedDataKeys!: SignedDataKeyWrapDto[];
}
