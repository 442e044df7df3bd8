/**
 * The permission table of docs/identity.md, as data: which roles may call a route at all.
 * The guard checks the role against this table; the feature's policy and the scoped
 * repository then decide which objects the caller reaches. Adding a permission means
 * adding a row here and a row in the authorization matrix test (test/authorization/).
 */
import type { Role } from '../../contract/roles';

export const Permission = {
  /** Any signed-in user acting on themselves: whoami, logout, password change. */
  Self: 'self',
  /** Create, list and update embassies and organisations. */
  OrganisationsManage: 'organisations:manage',
  /** Invite, list, disable, enable, re-role and re-scope users. */
  UsersManage: 'users:manage',
  /** Read public keys and fingerprints (users of one's scope, any team's public key). */
  KeyDirectoryRead: 'keys:directory:read',
  /** Bootstrap, grant and rotate one's own scope's team keys. */
  TeamKeysManage: 'keys:team:manage',
  /** List the data-key wraps of one's own scope (which records exist, who wrapped them): its holders only. */
  TeamDataKeysRead: 'keys:team:data-keys',
  /** Read the cases of one's own embassy: list, open, timeline, duplicate lookup. */
  CaseRead: 'cases:read',
  /** Create, update, move through states, assign, append to, transfer and shred one's embassy's cases. */
  CaseWrite: 'cases:write',
} as const;

export type Permission = (typeof Permission)[keyof typeof Permission];

export const ROLES_BY_PERMISSION: Record<Permission, readonly Role[]> = {
  [Permission.Self]: ['ADMIN', 'EMBASSY_CONTACT', 'NGO', 'COORDINATOR', 'AUDITOR'],
  [Permission.OrganisationsManage]: ['ADMIN'],
  [Permission.UsersManage]: ['ADMIN'],
  [Permission.KeyDirectoryRead]: ['EMBASSY_CONTACT', 'NGO', 'COORDINATOR'],
  [Permission.TeamKeysManage]: ['EMBASSY_CONTACT', 'NGO', 'COORDINATOR'],
  [Permission.TeamDataKeysRead]: ['EMBASSY_CONTACT', 'NGO', 'COORDINATOR'],
  [Permission.CaseRead]: ['EMBASSY_CONTACT'],
  [Permission.CaseWrite]: ['EMBASSY_CONTACT'],
};

/**
 * Which permissions reach a scope's records, and so need a grant of the scope's current
 * team generation besides the role ("membership comes from members", docs/identity.md):
 * the access guard refuses them with 403 `team-grant-required` to a member the team has
 * not admitted. Key routes stay open without a grant: a newcomer must see `team status`,
 * and the first member must create generation 1. Every permission states it here.
 */
export const TEAM_GRANT_REQUIRED: Record<Permission, boolean> = {
  [Permission.Self]: false,
  [Permission.OrganisationsManage]: false,
  [Permission.UsersManage]: false,
  [Permission.KeyDirectoryRead]: false,
  [Permission.TeamKeysManage]: false,
  [Permission.TeamDataKeysRead]: true,
  [Permission.CaseRead]: true,
  [Permission.CaseWrite]: true,
};

export function roleMay(role: Role, permission: Permission): boolean {
  return ROLES_BY_PERMISSION[permission].includes(role);
}
