/**
 * Timeline requests: appending a member event (one sealed `body`, signed as revision 1
 * of entity `case_event` with the event's own id) and listing a case's events page by page.
 */
import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsUUID } from 'class-validator';
import { MEMBER_EVENT_TYPES, type MemberEventType } from '../../contract/case-vocabulary';
import { SignedRevisionDto } from '../../sealed-records/dto/signed-revision.dto';
import { NestedObject } from '../../common/http/nested-validation';

export class AppendCaseEventRequest {
  @ApiProperty({ format: 'uuid', description: 'Chosen by the client; bound into the body envelope' })
  @IsUUID()
  id!: string;

  @ApiProperty({ enum: MEMBER_EVENT_TYPES })
  @IsIn(MEMBER_EVENT_TYPES)
  type!: MemberEventType;

  @ApiProperty({ type: SignedRevisionDto, description: 'Entity `case_event`, record = the event id, version 1, one field `body` under the case key' })
  @NestedObject(() => SignedRevisionDto)
  revision!: SignedRevisionDto;
}
