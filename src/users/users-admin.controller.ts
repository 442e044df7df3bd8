/**
 * HTTP routes of user administration (ADMIN, Permission.UsersManage): list and read
 * accounts, disable, enable, change role or scope. No logic here; responses come from
 * toUserResponse, which carries no secret column.
 */
import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../common/authz/actor';
import { Authorize, CurrentActor } from '../common/authz/authorize.decorator';
import { Permission } from '../common/authz/permissions';
import { ApiProblems } from '../common/http/api-problems';
import { ChangeRoleRequest } from './dto/change-role.dto';
import { ChangeUserStatusRequest } from './dto/change-user-status.dto';
import { IdParam } from './dto/id-param.dto';
import { CreatedInvitationResponse } from './dto/invitation.response';
import { InvitationsService } from './invitations.service';
import { ListUsersQuery } from './dto/list-users.dto';
import { UserPage, UserResponse } from './dto/user.response';
import { UsersService } from './users.service';

@ApiTags('admin')
@Controller('admin/users')
@Authorize(Permission.UsersManage)
export class UsersAdminController {
  constructor(
    private readonly users: UsersService,
    private readonly invitations: InvitationsService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List accounts, filtered by role, status, embassy or organisation (keyset pagination)' })
  @ApiOkResponse({ type: UserPage })
  @ApiProblems(400, 401, 403, 429)
  list(@CurrentActor() actor: Actor, @Query() query: ListUsersQuery): Promise<UserPage> {
    return this.users.list(actor, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read an account' })
  @ApiOkResponse({ type: UserResponse })
  @ApiProblems(400, 401, 403, 404, 429)
  get(@CurrentActor() actor: Actor, @Param() params: IdParam): Promise<UserResponse> {
    return this.users.get(actor, params.id);
  }

  @Post(':id/disable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Disable an account; every session of it ends at once' })
  @ApiOkResponse({ type: UserResponse })
  @ApiProblems(400, 401, 403, 404, 409, 429)
  disable(@CurrentActor() actor: Actor, @Param() params: IdParam, @Body() body: ChangeUserStatusRequest): Promise<UserResponse> {
    return this.users.disable(actor, params.id, body);
  }

  @Post(':id/reenrolment')
  @ApiOperation({ summary: 'Re-invite an account that lost both password and recovery key: its enrolment replaces the keys' })
  @ApiCreatedResponse({ type: CreatedInvitationResponse })
  @ApiProblems(400, 401, 403, 404, 409, 429)
  reinvite(@CurrentActor() actor: Actor, @Param() params: IdParam): Promise<CreatedInvitationResponse> {
    return this.invitations.reinvite(actor, params.id);
  }

  @Post(':id/enable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Enable a disabled account; the user signs in again' })
  @ApiOkResponse({ type: UserResponse })
  @ApiProblems(400, 401, 403, 404, 409, 429)
  enable(@CurrentActor() actor: Actor, @Param() params: IdParam, @Body() body: ChangeUserStatusRequest): Promise<UserResponse> {
    return this.users.enable(actor, params.id, body);
  }

  @Patch(':id/role')
  @ApiOperation({
    summary: 'Change the role or scope of an account; every session ends, and leaving a scope removes its team key grants',
  })
  @ApiOkResponse({ type: UserResponse })
  @ApiProblems(400, 401, 403, 404, 409, 429)
  changeRole(@CurrentActor() actor: Actor, @Param() params: IdParam, @Body() body: ChangeRoleRequest): Promise<UserResponse> {
    return this.users.changeRole(actor, params.id, body);
  }
}
