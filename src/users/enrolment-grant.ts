/**
 * What entitles a caller without a session to create an account, or to give an existing
 * one new keys: a spent invitation (InvitationsService.spend) or the spent setup token
 * (AccountsService.firstAdministratorGrant). It is the access check of enrolment: the
 * account's e-mail, role, scope and display name come from it, never from the request.
 *
 * Branded, and minted only in this feature (`mintEnrolmentGrant`), so that AccountsService
 * cannot be reached with a hand-made one; auth carries it from the spend to the write.
 */
import type { Role } from '../contract/roles';

declare const grantBrand: unique symbol;

export interface EnrolmentGrant {
  readonly [grantBrand]: 'ENROLMENT';
  /** Null for the first administrator (the setup token stands for the invitation). */
  readonly invitationId: string | null;
  readonly email: string;
  readonly displayName: string | null;
  readonly role: Role;
  readonly embassyId: string | null;
  readonly organisationId: string | null;
  /** Set for a re-enrolment: the account whose keys the enrolment replaces. */
  readonly replacesUserId: string | null;
}

/** Only for this feature's spend paths (invitations, the setup token). */
export function mintEnrolmentGrant(grant: Omit<EnrolmentGrant, typeof grantBrand>): EnrolmentGrant {
  return grant as EnrolmentGrant;
}
