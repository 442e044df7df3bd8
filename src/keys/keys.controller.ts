/**
 * HTTP routes of the key directory and team keys, under /api/v1/keys. No logic: DTOs
 * in, the service, response DTOs out. The directory reads public keys; the team routes
 * always act on the caller's own scope, which comes from the access token, never from
 * the URL.
 */
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../common/authz/actor';
import { Authorize, CurrentActor } from '../common/authz/authorize.decorator';
import { Permission } from '../common/authz/permissions';
import { ApiProblems } from '../common/http/api-problems';
import { AddRotationChunkRequest } from './dto/add-rotation-chunk.dto';
import { CreateGrantRequest } from './dto/create-grant.dto';
import { CreateTeamRequest } from './dto/create-team.dto';
import { SealedDataKeysPageResponse } from './dto/data-keys.response';
import { GrantCreatedResponse } from './dto/grant.response';
import { RotationIdParam, ScopeIdParam, UserIdParam } from './dto/key-params.dto';
import { ListDataKeysQuery } from './dto/list-data-keys.dto';
import { MyTeamKeysResponse } from './dto/my-team-keys.response';
import { ResignWrapsRequest } from './dto/resign-wraps.dto';
import { PendingDataKeysPage, RotationChunkResponse, RotationResponse } from './dto/rotation.response';
import { StartRotationRequest } from './dto/start-rotation.dto';
import { DirectoryTeamKeyResponse, TeamPublicKeyResponse } from './dto/team-key.response';
import { TeamMembersResponse } from './dto/team-members.response';
import { UserPublicKeysResponse } from './dto/user-public-keys.response';
import { WrapsResignedResponse } from './dto/wraps-resigned.response';
import { KeysService } from './keys.service';
import { RotationService } from './rotation.service';

@ApiTags('keys')
@Controller('keys')
export class KeysController {
  constructor(
    private readonly keys: KeysService,
    private readonly rotations: RotationService,
  ) {}

  @Get('users/:userId')
  @Authorize(Permission.KeyDirectoryRead)
  @ApiOperation({ summary: "A key-holding member's public keys, name and scope; with their grants when they are of the caller's scope" })
  @ApiOkResponse({ type: UserPublicKeysResponse })
  @ApiProblems(400, 401, 403, 404, 429)
  userKeys(@CurrentActor() actor: Actor, @Param() params: UserIdParam): Promise<UserPublicKeysResponse> {
    return this.keys.userKeys(actor, params.userId);
  }

  @Get('teams/:scopeId')
  @Authorize(Permission.KeyDirectoryRead)
  @ApiOperation({ summary: "Any scope's current team public key, generation and fingerprint (to seal data keys to it)" })
  @ApiOkResponse({ type: DirectoryTeamKeyResponse })
  @ApiProblems(400, 401, 403, 404, 429)
  teamPublicKey(@CurrentActor() actor: Actor, @Param() params: ScopeIdParam): Promise<DirectoryTeamKeyResponse> {
    return this.keys.teamPublicKey(actor, params.scopeId);
  }

  @Post('team')
  @Authorize(Permission.TeamKeysManage)
  @ApiOperation({ summary: "Create generation 1 of the caller's scope with the creator's own signed grant" })
  @ApiCreatedResponse({ type: TeamPublicKeyResponse })
  @ApiProblems(400, 401, 403, 404, 409, 429)
  createTeam(@CurrentActor() actor: Actor, @Body() body: CreateTeamRequest): Promise<TeamPublicKeyResponse> {
    return this.keys.createTeam(actor, body);
  }

  @Get('team/pending')
  @Authorize(Permission.TeamKeysManage)
  @ApiOperation({ summary: 'Members of my scope without a grant for the current generation, with their fingerprints' })
  @ApiOkResponse({ type: TeamMembersResponse })
  @ApiProblems(401, 403, 404, 429)
  pendingMembers(@CurrentActor() actor: Actor): Promise<TeamMembersResponse> {
    return this.keys.pendingMembers(actor);
  }

  @Get('team/members')
  @Authorize(Permission.TeamKeysManage)
  @ApiOperation({ summary: 'Members of my scope holding the current generation (whom a rotation re-grants)' })
  @ApiOkResponse({ type: TeamMembersResponse })
  @ApiProblems(401, 403, 404, 429)
  holders(@CurrentActor() actor: Actor): Promise<TeamMembersResponse> {
    return this.keys.holders(actor);
  }

  @Post('team/grants')
  @Authorize(Permission.TeamKeysManage)
  @ApiOperation({ summary: 'Store a grant of the current generation, signed by the caller, to a member of my scope' })
  @ApiCreatedResponse({ type: GrantCreatedResponse })
  @ApiProblems(400, 401, 403, 404, 409, 429)
  createGrant(@CurrentActor() actor: Actor, @Body() body: CreateGrantRequest): Promise<GrantCreatedResponse> {
    return this.keys.createGrant(actor, body);
  }

  @Get('team/grants/mine')
  @Authorize(Permission.TeamKeysManage)
  @ApiOperation({ summary: "My grants of my scope's team keys and the scope's history links" })
  @ApiOkResponse({ type: MyTeamKeysResponse })
  @ApiProblems(401, 403, 404, 429)
  myTeamKeys(@CurrentActor() actor: Actor): Promise<MyTeamKeysResponse> {
    return this.keys.myTeamKeys(actor);
  }

  @Get('team/data-keys')
  @Authorize(Permission.TeamDataKeysRead)
  @ApiOperation({ summary: 'The data keys sealed to my scope, by keyId pages, each with its newest wrap' })
  @ApiOkResponse({ type: SealedDataKeysPageResponse })
  @ApiProblems(400, 401, 403, 429)
  dataKeys(@CurrentActor() actor: Actor, @Query() query: ListDataKeysQuery): Promise<SealedDataKeysPageResponse> {
    return this.keys.dataKeysPage(actor, query);
  }

  @Post('team/wrap-signatures')
  @HttpCode(200)
  @Authorize(Permission.TeamKeysManage)
  @ApiOperation({
    summary: "Sign, as their writer, unsigned wraps (written before protocol 2) of my scope's current generation, after checking their records",
  })
  @ApiOkResponse({ type: WrapsResignedResponse })
  @ApiProblems(400, 401, 403, 404, 409, 429)
  resignWraps(@CurrentActor() actor: Actor, @Body() body: ResignWrapsRequest): Promise<WrapsResignedResponse> {
    return this.keys.resignWraps(actor, body);
  }

  @Post('team/rotations')
  @Authorize(Permission.TeamKeysManage)
  @ApiOperation({
    summary: 'Start rotating my scope to generation g+1: new key (current at once), history link, grants; optionally a first chunk of re-sealed data keys',
  })
  @ApiCreatedResponse({ type: RotationResponse })
  @ApiProblems(400, 401, 403, 404, 409, 429)
  startRotation(@CurrentActor() actor: Actor, @Body() body: StartRotationRequest): Promise<RotationResponse> {
    return this.rotations.start(actor, body);
  }

  @Get('team/rotations/current')
  @Authorize(Permission.TeamKeysManage)
  @ApiOperation({ summary: "My scope's rotation in progress, to resume it (404 when none is)" })
  @ApiOkResponse({ type: RotationResponse })
  @ApiProblems(401, 403, 404, 429)
  currentRotation(@CurrentActor() actor: Actor): Promise<RotationResponse> {
    return this.rotations.current(actor);
  }

  @Get('team/rotations/:rotationId/pending-data-keys')
  @Authorize(Permission.TeamDataKeysRead)
  @ApiOperation({ summary: "Data keys still awaiting the rotation: their previous generation's wraps, by keyId pages" })
  @ApiOkResponse({ type: PendingDataKeysPage })
  @ApiProblems(400, 401, 403, 404, 429)
  pendingDataKeys(@CurrentActor() actor: Actor, @Param() params: RotationIdParam, @Query() query: ListDataKeysQuery): Promise<PendingDataKeysPage> {
    return this.rotations.pendingDataKeys(actor, params.rotationId, query);
  }

  @Post('team/rotations/:rotationId/chunks')
  @HttpCode(200)
  @Authorize(Permission.TeamKeysManage)
  @ApiOperation({ summary: 'Add up to 500 data keys re-sealed to the rotation’s new generation and signed by me' })
  @ApiOkResponse({ type: RotationChunkResponse })
  @ApiProblems(400, 401, 403, 404, 409, 429)
  addRotationChunk(@CurrentActor() actor: Actor, @Param() params: RotationIdParam, @Body() body: AddRotationChunkRequest): Promise<RotationChunkResponse> {
    return this.rotations.addChunk(actor, params.rotationId, body);
  }

  @Post('team/rotations/:rotationId/completion')
  @HttpCode(200)
  @Authorize(Permission.TeamKeysManage)
  @ApiOperation({ summary: 'Complete the rotation once no data key lacks a wrap of the new generation; the previous wraps are deleted' })
  @ApiOkResponse({ type: RotationResponse })
  @ApiProblems(401, 403, 404, 409, 429)
  completeRotation(@CurrentActor() actor: Actor, @Param() params: RotationIdParam): Promise<RotationResponse> {
    return this.rotations.complete(actor, params.rotationId);
  }
}
