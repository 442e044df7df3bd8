/**
 * HTTP routes of invitations (ADMIN, Permission.UsersManage): issue one (the code is in
 * this response only), list the open ones, withdraw one. No logic here.
 */
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../common/authz/actor';
import { Authorize, CurrentActor } from '../common/authz/authorize.decorator';
import { Permission } from '../common/authz/permissions';
import { ApiProblems } from '../common/http/api-problems';
import { CreateInvitationRequest } from './dto/create-invitation.dto';
import { IdParam } from './dto/id-param.dto';
import { CreatedInvitationResponse, InvitationPage } from './dto/invitation.response';
import { PageQuery } from '../common/http/page-query.dto';
import { InvitationsService } from './invitations.service';

@ApiTags('admin')
@Controller('admin/invitations')
@Authorize(Permission.UsersManage)
export class InvitationsController {
  constructor(private readonly invitations: InvitationsService) {}

  @Post()
  @ApiOperation({ summary: 'Invite someone to enrol with a role and scope; the code is shown this once' })
  @ApiCreatedResponse({ type: CreatedInvitationResponse })
  @ApiProblems(400, 401, 403, 409, 429)
  create(@CurrentActor() actor: Actor, @Body() body: CreateInvitationRequest): Promise<CreatedInvitationResponse> {
    return this.invitations.create(actor, body);
  }

  @Get()
  @ApiOperation({ summary: 'List open invitations (unused, not withdrawn, not expired); never their codes' })
  @ApiOkResponse({ type: InvitationPage })
  @ApiProblems(400, 401, 403, 429)
  list(@CurrentActor() actor: Actor, @Query() query: PageQuery): Promise<InvitationPage> {
    return this.invitations.listOpen(actor, query);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Withdraw an unused invitation: its code can no longer be spent' })
  @ApiNoContentResponse()
  @ApiProblems(400, 401, 403, 404, 409, 429)
  withdraw(@CurrentActor() actor: Actor, @Param() params: IdParam): Promise<void> {
    return this.invitations.withdraw(actor, params.id);
  }
}
