/**
 * Typed calls to the key directory and team key routes. Request and response types are
 * the server's own DTO classes, imported as types only: one source for both sides, and
 * nothing of the server is loaded by the client. No crypto here: the flows that make and
 * open grants and rotate live in team-keys-flow.ts.
 */
import type { AddRotationChunkRequest } from '../keys/dto/add-rotation-chunk.dto';
import type { CreateGrantRequest } from '../keys/dto/create-grant.dto';
import type { CreateTeamRequest } from '../keys/dto/create-team.dto';
import type { SealedDataKeysPageResponse } from '../keys/dto/data-keys.response';
import type { GrantCreatedResponse } from '../keys/dto/grant.response';
import type { ListDataKeysQuery } from '../keys/dto/list-data-keys.dto';
import type { MyTeamKeysResponse } from '../keys/dto/my-team-keys.response';
import type { ResignWrapsRequest } from '../keys/dto/resign-wraps.dto';
import type { PendingDataKeysPage, RotationChunkResponse, RotationResponse } from '../keys/dto/rotation.response';
import type { StartRotationRequest } from '../keys/dto/start-rotation.dto';
import type { DirectoryTeamKeyResponse, TeamPublicKeyResponse } from '../keys/dto/team-key.response';
import type { TeamMembersResponse } from '../keys/dto/team-members.response';
import type { UserPublicKeysResponse } from '../keys/dto/user-public-keys.response';
import type { WrapsResignedResponse } from '../keys/dto/wraps-resigned.response';
import { EgideApiError, type HttpClient } from './http-client';

export class KeysApi {
  constructor(private readonly http: HttpClient) {}

  /** A member of my scope (404 for anyone else). */
  userKeys(userId: string): Promise<UserPublicKeysResponse> {
    return this.http.request('GET', `/keys/users/${encodeURIComponent(userId)}`);
  }

  /** Any scope's current team key, with a member-signed grant to verify it by. */
  teamKey(scopeId: string): Promise<DirectoryTeamKeyResponse> {
    return this.http.request('GET', `/keys/teams/${encodeURIComponent(scopeId)}`);
  }

  createTeam(body: CreateTeamRequest): Promise<TeamPublicKeyResponse> {
    return this.http.request('POST', '/keys/team', { body });
  }

  pendingMembers(): Promise<TeamMembersResponse> {
    return this.http.request('GET', '/keys/team/pending');
  }

  /** Members holding the current generation. */
  holders(): Promise<TeamMembersResponse> {
    return this.http.request('GET', '/keys/team/members');
  }

  createGrant(body: CreateGrantRequest): Promise<GrantCreatedResponse> {
    return this.http.request('POST', '/keys/team/grants', { body });
  }

  myTeamKeys(): Promise<MyTeamKeysResponse> {
    return this.http.request('GET', '/keys/team/grants/mine');
  }

  dataKeys(query: ListDataKeysQuery = {}): Promise<SealedDataKeysPageResponse> {
    return this.http.request('GET', '/keys/team/data-keys', { query: { after: query.after, limit: query.limit } });
  }

  /** Starts a rotation (optionally with a first chunk); it completes at once when no data key is left awaiting it. */
  startRotation(body: StartRotationRequest): Promise<RotationResponse> {
    return this.http.request('POST', '/keys/team/rotations', { body });
  }

  /** My scope's rotation in progress, or undefined when none is. */
  async currentRotation(): Promise<RotationResponse | undefined> {
    try {
      return await this.http.request<RotationResponse>('GET', '/keys/team/rotations/current');
    } catch (error) {
      if (error instanceof EgideApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** A page of the data keys still awaiting the rotation (their previous generation's wraps). */
  pendingDataKeys(rotationId: string, query: ListDataKeysQuery = {}): Promise<PendingDataKeysPage> {
    return this.http.request('GET', `/keys/team/rotations/${encodeURIComponent(rotationId)}/pending-data-keys`, {
      query: { after: query.after, limit: query.limit },
    });
  }

  /** Up to 500 re-sealed, signed data keys for the rotation. */
  addRotationChunk(rotationId: string, body: AddRotationChunkRequest): Promise<RotationChunkResponse> {
    return this.http.request('POST', `/keys/team/rotations/${encodeURIComponent(rotationId)}/chunks`, { body });
  }

  completeRotation(rotationId: string): Promise<RotationResponse> {
    return this.http.request('POST', `/keys/team/rotations/${encodeURIComponent(rotationId)}/completion`);
  }

  /** My signatures, as writer, over unsigned wraps of my scope's current generation (≤ 500 per call). */
  resignWraps(body: ResignWrapsRequest): Promise<WrapsResignedResponse> {
    return this.http.request('POST', '/keys/team/wrap-signatures', { body });
  }
}
