/** Path parameters of the key routes. */
import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

export class UserIdParam {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  userId!: string;
}

export class ScopeIdParam {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  scopeId!: string;
}

export class RotationIdParam {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  rotationId!: string;
}
