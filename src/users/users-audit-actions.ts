/**
 * The audit actions the users feature writes: embassies, organisations, invitations, accounts.
 */
export const USERS_AUDIT_ACTIONS = [
  'embassy.created',
  'embassy.updated',
  'organisation.created',
  'organisation.updated',
  'user.invited',
  'user.reinvited',
  'user.invitation-withdrawn',
  'user.disabled',
  'user.enabled',
  'user.role-changed',
] as const;
export type UsersAuditAction = (typeof USERS_AUDIT_ACTIONS)[number];
