/**
 * HTTP routes of embassy administration (ADMIN, Permission.OrganisationsManage). No
 * logic: DTOs in, the service, response DTOs out. Never returns an entity.
 */
import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../common/authz/actor';
import { Authorize, CurrentActor } from '../common/authz/authorize.decorator';
import { Permission } from '../common/authz/permissions';
import { ApiProblems } from '../common/http/api-problems';
import { CreateEmbassyRequest } from './dto/create-embassy.dto';
import { EmbassyPage, EmbassyResponse } from './dto/embassy.response';
import { IdParam } from './dto/id-param.dto';
import { PageQuery } from '../common/http/page-query.dto';
import { UpdateEmbassyRequest } from './dto/update-embassy.dto';
import { EmbassiesService } from './embassies.service';

@ApiTags('admin')
@Controller('admin/embassies')
@Authorize(Permission.OrganisationsManage)
export class EmbassiesController {
  constructor(private readonly embassies: EmbassiesService) {}

  @Post()
  @ApiOperation({ summary: 'Create an embassy' })
  @ApiCreatedResponse({ type: EmbassyResponse })
  @ApiProblems(400, 401, 403, 409, 429)
  create(@CurrentActor() actor: Actor, @Body() body: CreateEmbassyRequest): Promise<EmbassyResponse> {
    return this.embassies.create(actor, body);
  }

  @Get()
  @ApiOperation({ summary: 'List embassies by name (keyset pagination)' })
  @ApiOkResponse({ type: EmbassyPage })
  @ApiProblems(400, 401, 403, 429)
  list(@CurrentActor() actor: Actor, @Query() query: PageQuery): Promise<EmbassyPage> {
    return this.embassies.list(actor, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read an embassy' })
  @ApiOkResponse({ type: EmbassyResponse })
  @ApiProblems(400, 401, 403, 404, 429)
  get(@CurrentActor() actor: Actor, @Param() params: IdParam): Promise<EmbassyResponse> {
    return this.embassies.get(actor, params.id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename or move an embassy (name, city, country)' })
  @ApiOkResponse({ type: EmbassyResponse })
  @ApiProblems(400, 401, 403, 404, 409, 429)
  update(@CurrentActor() actor: Actor, @Param() params: IdParam, @Body() body: UpdateEmbassyRequest): Promise<EmbassyResponse> {
    return this.embassies.update(actor, params.id, body);
  }
}
