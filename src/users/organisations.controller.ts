/**
 * HTTP routes of organisation (NGO) administration (ADMIN,
 * Permission.OrganisationsManage). No logic: DTOs in, the service, response DTOs out.
 */
import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../common/authz/actor';
import { Authorize, CurrentActor } from '../common/authz/authorize.decorator';
import { Permission } from '../common/authz/permissions';
import { ApiProblems } from '../common/http/api-problems';
import { CreateOrganisationRequest } from './dto/create-organisation.dto';
import { IdParam } from './dto/id-param.dto';
import { OrganisationPage, OrganisationResponse } from './dto/organisation.response';
import { PageQuery } from '../common/http/page-query.dto';
import { UpdateOrganisationRequest } from './dto/update-organisation.dto';
import { OrganisationsService } from './organisations.service';

@ApiTags('admin')
@Controller('admin/organisations')
@Authorize(Permission.OrganisationsManage)
export class OrganisationsController {
  constructor(private readonly organisations: OrganisationsService) {}

  @Post()
  @ApiOperation({ summary: 'Create an organisation (NGO)' })
  @ApiCreatedResponse({ type: OrganisationResponse })
  @ApiProblems(400, 401, 403, 409, 429)
  create(@CurrentActor() actor: Actor, @Body() body: CreateOrganisationRequest): Promise<OrganisationResponse> {
    return this.organisations.create(actor, body);
  }

  @Get()
  @ApiOperation({ summary: 'List organisations by name (keyset pagination)' })
  @ApiOkResponse({ type: OrganisationPage })
  @ApiProblems(400, 401, 403, 429)
  list(@CurrentActor() actor: Actor, @Query() query: PageQuery): Promise<OrganisationPage> {
    return this.organisations.list(actor, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read an organisation' })
  @ApiOkResponse({ type: OrganisationResponse })
  @ApiProblems(400, 401, 403, 404, 429)
  get(@CurrentActor() actor: Actor, @Param() params: IdParam): Promise<OrganisationResponse> {
    return this.organisations.get(actor, params.id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename an organisation or change its country' })
  @ApiOkResponse({ type: OrganisationResponse })
  @ApiProblems(400, 401, 403, 404, 409, 429)
  update(@CurrentActor() actor: Actor, @Param() params: IdParam, @Body() body: UpdateOrganisationRequest): Promise<OrganisationResponse> {
    return this.organisations.update(actor, params.id, body);
  }
}
