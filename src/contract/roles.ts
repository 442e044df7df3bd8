/**
 * Roles and scopes (docs/identity.md). A scope is what a user's data access is bounded by:
 * one embassy, one organisation, the coordinators' network, or the system (ADMIN and
 * AUDITOR, who hold no scope key). Each role has exactly one kind of scope.
 */
export const ROLES = ['ADMIN', 'EMBASSY_CONTACT', 'NGO', 'COORDINATOR', 'AUDITOR'] as const;
export type Role = (typeof ROLES)[number];

export const SCOPE_TYPES = ['SYSTEM', 'EMBASSY', 'ORGANISATION', 'NETWORK'] as const;
export type ScopeType = (typeof SCOPE_TYPES)[number];

export const SCOPE_TYPE_OF_ROLE: Record<Role, ScopeType> = {
  ADMIN: 'SYSTEM',
  AUDITOR: 'SYSTEM',
  EMBASSY_CONTACT: 'EMBASSY',
  NGO: 'ORGANISATION',
  COORDINATOR: 'NETWORK',
};

/**
 * There is one coordinators' network; its scope id is fixed so that team keys, grants
 * and sealed data keys name it like any other scope (by a UUID).
 */
export const COORDINATORS_NETWORK_ID = '00000000-0000-4000-8000-00000000c0de';

/** Roles whose members hold a team key for their scope. */
export const KEY_HOLDING_ROLES: readonly Role[] = ['EMBASSY_CONTACT', 'NGO', 'COORDINATOR'];

/**
 * The scope a user acts in. `id` is the embassy or organisation id, the network's fixed
 * id, or null for the system scope.
 */
export interface Scope {
  readonly type: ScopeType;
  readonly id: string | null;
}

export function scopeOf(role: Role, embassyId: string | null, organisationId: string | null): Scope {
  switch (SCOPE_TYPE_OF_ROLE[role]) {
    case 'EMBASSY':
      return { type: 'EMBASSY', id: embassyId };
    case 'ORGANISATION':
      return { type: 'ORGANISATION', id: organisationId };
    case 'NETWORK':
      return { type: 'NETWORK', id: COORDINATORS_NETWORK_ID };
    case 'SYSTEM':
      return { type: 'SYSTEM', id: null };
  }
}

/** Whether an account may sign in: an administrator disables and enables it. */
export const USER_STATUSES = ['ACTIVE', 'DISABLED'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];
