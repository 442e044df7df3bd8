/**
 * Typed calls to the administration routes (/api/v1/admin, ADMIN only). Request and
 * response types are the server's own DTO classes, imported as types only: one source
 * for both sides, and nothing of the server is loaded by the client. No crypto here:
 * administrators hold no scope key. Every update sends the `version` it is based on (read
 * it with the matching get): a stale one is refused with 409 `conflict` (reason `stale-version`).
 */
import type { ChangeRoleRequest } from '../users/dto/change-role.dto';
import type { ChangeUserStatusRequest } from '../users/dto/change-user-status.dto';
import type { CreateEmbassyRequest } from '../users/dto/create-embassy.dto';
import type { CreateInvitationRequest } from '../users/dto/create-invitation.dto';
import type { CreateOrganisationRequest } from '../users/dto/create-organisation.dto';
import type { EmbassyPage, EmbassyResponse } from '../users/dto/embassy.response';
import type { CreatedInvitationResponse, InvitationPage } from '../users/dto/invitation.response';
import type { ListUsersQuery } from '../users/dto/list-users.dto';
import type { OrganisationPage, OrganisationResponse } from '../users/dto/organisation.response';
import type { PageQuery } from '../common/http/page-query.dto';
import type { UpdateEmbassyRequest } from '../users/dto/update-embassy.dto';
import type { UpdateOrganisationRequest } from '../users/dto/update-organisation.dto';
import type { UserPage, UserResponse } from '../users/dto/user.response';
import type { HttpClient } from './http-client';

/** Ids go into paths: encode them so that a stray character cannot reach another route. */
const segment = encodeURIComponent;

export class AdminApi {
  constructor(private readonly http: HttpClient) {}

  createEmbassy(body: CreateEmbassyRequest): Promise<EmbassyResponse> {
    return this.http.request('POST', '/admin/embassies', { body });
  }

  listEmbassies(query: PageQuery = {}): Promise<EmbassyPage> {
    return this.http.request('GET', '/admin/embassies', { query: { ...query } });
  }

  getEmbassy(id: string): Promise<EmbassyResponse> {
    return this.http.request('GET', `/admin/embassies/${segment(id)}`);
  }

  updateEmbassy(id: string, body: UpdateEmbassyRequest): Promise<EmbassyResponse> {
    return this.http.request('PATCH', `/admin/embassies/${segment(id)}`, { body });
  }

  createOrganisation(body: CreateOrganisationRequest): Promise<OrganisationResponse> {
    return this.http.request('POST', '/admin/organisations', { body });
  }

  listOrganisations(query: PageQuery = {}): Promise<OrganisationPage> {
    return this.http.request('GET', '/admin/organisations', { query: { ...query } });
  }

  getOrganisation(id: string): Promise<OrganisationResponse> {
    return this.http.request('GET', `/admin/organisations/${segment(id)}`);
  }

  updateOrganisation(id: string, body: UpdateOrganisationRequest): Promise<OrganisationResponse> {
    return this.http.request('PATCH', `/admin/organisations/${segment(id)}`, { body });
  }

  /** The returned `code` exists only in this response: hand it over out of band. */
  invite(body: CreateInvitationRequest): Promise<CreatedInvitationResponse> {
    return this.http.request('POST', '/admin/invitations', { body });
  }

  listInvitations(query: PageQuery = {}): Promise<InvitationPage> {
    return this.http.request('GET', '/admin/invitations', { query: { ...query } });
  }

  withdrawInvitation(id: string): Promise<void> {
    return this.http.request('DELETE', `/admin/invitations/${segment(id)}`);
  }

  listUsers(query: ListUsersQuery = {}): Promise<UserPage> {
    return this.http.request('GET', '/admin/users', { query: { ...query } });
  }

  getUser(id: string): Promise<UserResponse> {
    return this.http.request('GET', `/admin/users/${segment(id)}`);
  }

  disableUser(id: string, body: ChangeUserStatusRequest): Promise<UserResponse> {
    return this.http.request('POST', `/admin/users/${segment(id)}/disable`, { body });
  }

  /** An invitation whose enrolment replaces the account's keys (lost password and recovery key). */
  reinviteUser(id: string): Promise<CreatedInvitationResponse> {
    return this.http.request('POST', `/admin/users/${segment(id)}/reenrolment`);
  }

  enableUser(id: string, body: ChangeUserStatusRequest): Promise<UserResponse> {
    return this.http.request('POST', `/admin/users/${segment(id)}/enable`, { body });
  }

  changeUserRole(id: string, body: ChangeRoleRequest): Promise<UserResponse> {
    return this.http.request('PATCH', `/admin/users/${segment(id)}/role`, { body });
  }
}
