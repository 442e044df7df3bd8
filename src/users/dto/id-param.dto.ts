/** A resource id in the path, checked as a UUID so that a malformed one is a 400 naming `id`. */
import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

export class IdParam {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id!: string;
}
