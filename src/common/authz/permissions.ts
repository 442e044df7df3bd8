/**
 * The permission table of DESIGN.md §2, as data: which roles may call a route at all.
 * The guard checks the role against this table; the feature's policy and the scoped
 * repository then decide which objects the caller reaches. Adding a permission means
 * adding a row here and a row in the authorization matrix test (test/authorization/).
 */
import type { Role } from './roles';

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
  [Permission.CaseRead]: ['EMBASSY_CONTACT'],
  [Permission.CaseWrite]: ['EMBASSY_CONTACT'],
};

export function roleMay(role: Role, permission: Permission): boolean {
  return ROLES_BY_PERMISSION[permission].includes(role);
}
