/**
 * HTTP routes of defender cases under /api/v1/cases (EMBASSY_CONTACT of the case's
 * embassy: Permission.CaseRead / CaseWrite). No logic: DTOs in, the service, response
 * DTOs out. The embassy always comes from the access token, never from the URL or body.
 */
import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../common/authz/actor';
import { Authorize, CurrentActor } from '../common/authz/authorize.decorator';
import { Permission } from '../common/authz/permissions';
import { ApiProblems } from '../common/http/api-problems';
import { IDEMPOTENCY_HEADER, IDEMPOTENCY_KEY_PATTERN, parseIdempotencyKey } from '../common/idempotency/idempotency.service';
import { CasesService } from './cases.service';
import { AssignCaseRequest } from './dto/assign-case.dto';
import { CaseIdParam, CaseReferenceParam } from './dto/case-params.dto';
import { ChangeCaseStatusRequest } from './dto/change-case-status.dto';
import { ShredCaseRequest } from './dto/shred-case.dto';
import { TransferCaseRequest } from './dto/transfer-case.dto';
import { AppendCaseEventRequest } from './dto/case-event.dto';
import {
  CaseEventCreatedResponse,
  CaseEventPage,
  CasePage,
  CaseResponse,
  CaseSummaryResponse,
  CaseTransferredResponse,
  DuplicateCandidatesResponse,
} from './dto/case.response';
import { CreateCaseRequest } from './dto/create-case.dto';
import { DuplicateSearchRequest } from './dto/duplicate-search.dto';
import { ListCaseEventsQuery } from './dto/list-case-events.dto';
import { ListCasesQuery } from './dto/list-cases.dto';
import { UpdateCaseRequest } from './dto/update-case.dto';

const IDEMPOTENCY_DOC = {
  name: 'Idempotency-Key',
  required: false,
  description: 'A retry with the same key and body returns the first response; the same key with another body answers 422',
  schema: { type: 'string', minLength: 8, maxLength: 128, pattern: IDEMPOTENCY_KEY_PATTERN.source },
};

@ApiTags('cases')
@Controller('cases')
export class CasesController {
  constructor(private readonly cases: CasesService) {}

  @Post()
  @Authorize(Permission.CaseWrite)
  @ApiOperation({ summary: 'Create a case: clear fields, sealed revision 1, the key wrapped for my embassy, blind indexes' })
  @ApiHeader(IDEMPOTENCY_DOC)
  @ApiCreatedResponse({ type: CaseSummaryResponse })
  @ApiProblems(400, 401, 403, 404, 409, 413, 422, 429)
  create(
    @CurrentActor() actor: Actor,
    @Body() body: CreateCaseRequest,
    @Headers(IDEMPOTENCY_HEADER) idempotencyKey: string | undefined,
  ): Promise<CaseSummaryResponse> {
    return this.cases.create(actor, body, parseIdempotencyKey(idempotencyKey));
  }

  @Get()
  @Authorize(Permission.CaseRead)
  @ApiOperation({ summary: "My embassy's cases, newest first, filtered on clear fields (keyset pagination)" })
  @ApiOkResponse({ type: CasePage })
  @ApiProblems(400, 401, 403, 429)
  list(@CurrentActor() actor: Actor, @Query() query: ListCasesQuery): Promise<CasePage> {
    return this.cases.list(actor, query);
  }

  @Post('duplicate-search')
  @HttpCode(200)
  @Authorize(Permission.CaseRead)
  @ApiOperation({ summary: "Cases of my embassy carrying any of these blind indexes (name or passport): candidates to decrypt and compare" })
  @ApiOkResponse({ type: DuplicateCandidatesResponse })
  @ApiProblems(400, 401, 403, 429)
  findDuplicates(@CurrentActor() actor: Actor, @Body() body: DuplicateSearchRequest): Promise<DuplicateCandidatesResponse> {
    return this.cases.findDuplicates(actor, body);
  }

  @Get('by-reference/:reference')
  @Authorize(Permission.CaseRead)
  @ApiOperation({ summary: "My embassy's case with this reference (KE-2026-0042), clear fields only; another embassy's answers 404" })
  @ApiOkResponse({ type: CaseSummaryResponse })
  @ApiProblems(400, 401, 403, 404, 429)
  findByReference(@CurrentActor() actor: Actor, @Param() params: CaseReferenceParam): Promise<CaseSummaryResponse> {
    return this.cases.findByReference(actor, params.reference);
  }

  @Get(':id')
  @Authorize(Permission.CaseRead)
  @ApiOperation({ summary: 'A case with its signed revision and my embassy’s wrap of its key (audited read); `sealed` is null once shredded' })
  @ApiOkResponse({ type: CaseResponse })
  @ApiProblems(400, 401, 403, 404, 429)
  get(@CurrentActor() actor: Actor, @Param() params: CaseIdParam): Promise<CaseResponse> {
    return this.cases.get(actor, params.id);
  }

  @Patch(':id')
  @Authorize(Permission.CaseWrite)
  @ApiOperation({ summary: 'Update clear fields and/or the sealed content (revision n+1) and/or blind indexes, based on `version`' })
  @ApiOkResponse({ type: CaseSummaryResponse })
  @ApiProblems(400, 401, 403, 404, 409, 413, 429)
  update(@CurrentActor() actor: Actor, @Param() params: CaseIdParam, @Body() body: UpdateCaseRequest): Promise<CaseSummaryResponse> {
    return this.cases.update(actor, params.id, body);
  }

  @Post(':id/status')
  @HttpCode(200)
  @Authorize(Permission.CaseWrite)
  @ApiOperation({ summary: 'Move the case to another status (409 lists the allowed ones); writes a STATUS_CHANGE event' })
  @ApiOkResponse({ type: CaseSummaryResponse })
  @ApiProblems(400, 401, 403, 404, 409, 429)
  changeStatus(@CurrentActor() actor: Actor, @Param() params: CaseIdParam, @Body() body: ChangeCaseStatusRequest): Promise<CaseSummaryResponse> {
    return this.cases.changeStatus(actor, params.id, body);
  }

  @Post(':id/assign')
  @HttpCode(200)
  @Authorize(Permission.CaseWrite)
  @ApiOperation({ summary: 'Assign the case to an active contact of my embassy, or unassign it (null)' })
  @ApiOkResponse({ type: CaseSummaryResponse })
  @ApiProblems(400, 401, 403, 404, 409, 429)
  assign(@CurrentActor() actor: Actor, @Param() params: CaseIdParam, @Body() body: AssignCaseRequest): Promise<CaseSummaryResponse> {
    return this.cases.assign(actor, params.id, body);
  }

  @Post(':id/events')
  @Authorize(Permission.CaseWrite)
  @ApiOperation({ summary: 'Append a timeline event with a sealed, signed body' })
  @ApiHeader(IDEMPOTENCY_DOC)
  @ApiCreatedResponse({ type: CaseEventCreatedResponse })
  @ApiProblems(400, 401, 403, 404, 409, 413, 422, 429)
  appendEvent(
    @CurrentActor() actor: Actor,
    @Param() params: CaseIdParam,
    @Body() body: AppendCaseEventRequest,
    @Headers(IDEMPOTENCY_HEADER) idempotencyKey: string | undefined,
  ): Promise<CaseEventCreatedResponse> {
    return this.cases.appendEvent(actor, params.id, body, parseIdempotencyKey(idempotencyKey));
  }

  @Get(':id/events')
  @Authorize(Permission.CaseRead)
  @ApiOperation({ summary: 'The timeline, oldest first (audited read)' })
  @ApiOkResponse({ type: CaseEventPage })
  @ApiProblems(400, 401, 403, 404, 429)
  listEvents(@CurrentActor() actor: Actor, @Param() params: CaseIdParam, @Query() query: ListCaseEventsQuery): Promise<CaseEventPage> {
    return this.cases.listEvents(actor, params.id, query);
  }

  @Post(':id/transfer')
  @HttpCode(200)
  @Authorize(Permission.CaseWrite)
  @ApiOperation({ summary: "Transfer the case to another embassy with its key sealed to that embassy's team key; my embassy loses access at once" })
  @ApiOkResponse({ type: CaseTransferredResponse })
  @ApiProblems(400, 401, 403, 404, 409, 429)
  transfer(@CurrentActor() actor: Actor, @Param() params: CaseIdParam, @Body() body: TransferCaseRequest): Promise<CaseTransferredResponse> {
    return this.cases.transfer(actor, params.id, body);
  }

  @Post(':id/shred')
  @HttpCode(200)
  @Authorize(Permission.CaseWrite)
  @ApiOperation({ summary: 'Emergency erase, irreversible: every key wrap and sealed field destroyed; the clear skeleton stays' })
  @ApiOkResponse({ type: CaseSummaryResponse })
  @ApiProblems(400, 401, 403, 404, 409, 429)
  shred(@CurrentActor() actor: Actor, @Param() params: CaseIdParam, @Body() body: ShredCaseRequest): Promise<CaseSummaryResponse> {
    return this.cases.shred(actor, params.id, body);
  }
}
