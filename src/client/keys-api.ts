/**
 * Typed calls to the key directory and team key routes. Request and response types are
 * the server's own DTO classes, imported as types only: one source for both sides, and
 * nothing of the server is loaded by the client. No crypto here: the flows that make and
 * open grants live in team-keys-flow.ts.
 */
import type { TeamKeyGrantDto } from '../keys/dto/key-material.dto';
import type { CreateTeamRequest, DataKeysPageQuery, ResignWrapsRequest, RotateTeamRequest } from '../keys/dto/keys-requests.dto';
import type {
  DirectoryTeamKeyResponse,
  GrantCreatedResponse,
  MyTeamKeysResponse,
  RotationResponse,
  SealedDataKeysPageResponse,
  TeamMembersResponse,
  TeamPublicKeyResponse,
  UserPublicKeysResponse,
  WrapsResignedResponse,
} from '../keys/dto/keys-responses.dto';
import type { HttpClient } from './http-client';

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

  createGrant(body: TeamKeyGrantDto): Promise<GrantCreatedResponse> {
    return this.http.request('POST', '/keys/team/grants', { body });
  }

  myTeamKeys(): Promise<MyTeamKeysResponse> {
    return this.http.request('GET', '/keys/team/grants/mine');
  }

  dataKeys(query: DataKeysPageQuery = {}): Promise<SealedDataKeysPageResponse> {
    return this.http.request('GET', '/keys/team/data-keys', { query: { after: query.after, limit: query.limit } });
  }

  rotate(body: RotateTeamRequest): Promise<RotationResponse> {
    return this.http.request('POST', '/keys/team/rotations', { body });
  }

  /** My signatures, as writer, over unsigned wraps of my scope's current generation (≤ 500 per call). */
  resignWraps(body: ResignWrapsRequest): Promise<WrapsResignedResponse> {
    return this.http.request('POST', '/keys/team/wrap-signatures', { body });
  }
}
