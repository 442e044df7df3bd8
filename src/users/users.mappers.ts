/**
 * The one way a users row becomes a response: pure functions from the repositories'
 * snake_case rows to the response DTOs, field by field, so that a column added later stays
 * out of every answer until someone maps it here on purpose. Never returns a row.
 */
import { scopeOf } from '../contract/roles';
import type { EmbassyResponse } from './dto/embassy.response';
import type { CreatedInvitationResponse, InvitationResponse } from './dto/invitation.response';
import type { OrganisationResponse } from './dto/organisation.response';
import type { UserResponse } from './dto/user.response';
import type { EmbassyRow } from './embassies.repository';
import type { InvitationRow } from './invitations.repository';
import type { OrganisationRow } from './organisations.repository';
import type { UserAccountRow } from './users.repository';

export function toEmbassyResponse(row: EmbassyRow): EmbassyResponse {
  return {
    id: row.id,
    name: row.name,
    country: row.country,
    city: row.city,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
  };
}

export function toOrganisationResponse(row: OrganisationRow): OrganisationResponse {
  return {
    id: row.id,
    name: row.name,
    country: row.country,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
  };
}

/** No hash, bundle, salt or TOTP secret: the row does not even carry them. */
export function toUserResponse(row: UserAccountRow): UserResponse {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    role: row.role,
    scope: scopeOf(row.role, row.embassy_id, row.organisation_id),
    status: row.status,
    fingerprint: row.fingerprint,
    mfaEnabled: row.totp_enabled_at !== null,
    lockedUntil: row.locked_until?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    version: row.version,
  };
}

/** An open invitation, as listed: never its code. */
export function toInvitationResponse(row: InvitationRow): InvitationResponse {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    role: row.role,
    scope: scopeOf(row.role, row.embassy_id, row.organisation_id),
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
  };
}

/** A new invitation with its code, which exists in clear in this response only. */
export function toCreatedInvitationResponse(row: InvitationRow, code: string, scopeHasTeam: boolean): CreatedInvitationResponse {
  return {
    id: row.id,
    code,
    email: row.email,
    displayName: row.display_name,
    role: row.role,
    scope: scopeOf(row.role, row.embassy_id, row.organisation_id),
    expiresAt: row.expires_at.toISOString(),
    scopeHasTeam,
  };
}
