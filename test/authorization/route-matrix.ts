/**
 * The authorization matrix: one row per route the router serves. A row says who may
 * call the route (public, or a permission of the table in src/common/authz/permissions.ts)
 * and how to aim a call at an object of the caller's own scope and of another scope.
 * The matrix test fails when a served route has no row, when a row names a route that
 * does not exist, and when a row's access differs from the route's decorators: this
 * table is what a reviewer reads. Later features add rows here; none bypasses it.
 */
import { randomUUID } from 'node:crypto';
import { Permission } from '../../src/common/authz/permissions';
import type { Cast, CastKey } from '../support/cast';

export type Access = 'public' | Permission;

/** One signed-in member per role, and nobody. */
export const SUBJECTS = ['anonymous', 'admin', 'auditor', 'contactA1', 'ngoX1', 'coordinator1'] as const;
export type Subject = (typeof SUBJECTS)[number];

export interface MatrixCall {
  path: string;
  body?: unknown;
}

export interface MatrixRow {
  access: Access;
  /** A call an allowed subject makes within its own scope (or in the system scope). */
  own: (cast: Cast, subject: Exclude<Subject, 'anonymous'>) => MatrixCall;
  /** The same call aimed at another scope's object: must answer 404, like a missing one. */
  otherScope?: (cast: Cast, subject: Exclude<Subject, 'anonymous'>) => MatrixCall;
  /** The call ends the caller's session: make it with a session of its own. */
  endsSession?: boolean;
}

const fixed = (path: string, body?: unknown) => (): MatrixCall => ({ path, body });
const nowhere = randomUUID();

/** A member of the subject's own scope other than the subject, when there is one. */
const OWN_SCOPE_PEER: Partial<Record<Subject, CastKey>> = { contactA1: 'contactA2', ngoX1: 'ngoX1', coordinator1: 'coordinator2' };
const OTHER_SCOPE_MEMBER: Partial<Record<Subject, CastKey>> = { contactA1: 'contactB1', ngoX1: 'ngoY1', coordinator1: 'contactA1' };

function peer(cast: Cast, subject: Subject, table: Partial<Record<Subject, CastKey>>): string {
  const key = table[subject];
  return key === undefined ? nowhere : cast.members[key].userId;
}

export const ROUTE_MATRIX: Record<string, MatrixRow> = {
  // health
  'get /api/v1/health': { access: 'public', own: fixed('/api/v1/health') },
  'get /api/v1/health/ready': { access: 'public', own: fixed('/api/v1/health/ready') },

  // setup and authentication
  'post /api/v1/setup': { access: 'public', own: fixed('/api/v1/setup', {}) },
  'post /api/v1/auth/enrol': { access: 'public', own: fixed('/api/v1/auth/enrol', {}) },
  'post /api/v1/auth/totp/confirm': { access: 'public', own: fixed('/api/v1/auth/totp/confirm', {}) },
  'post /api/v1/auth/prelogin': { access: 'public', own: fixed('/api/v1/auth/prelogin', {}) },
  'post /api/v1/auth/login': { access: 'public', own: fixed('/api/v1/auth/login', {}) },
  'post /api/v1/auth/refresh': { access: 'public', own: fixed('/api/v1/auth/refresh', {}) },
  'post /api/v1/auth/recovery/begin': { access: 'public', own: fixed('/api/v1/auth/recovery/begin', {}) },
  'post /api/v1/auth/recovery/complete': { access: 'public', own: fixed('/api/v1/auth/recovery/complete', {}) },
  'get /api/v1/auth/me': { access: Permission.Self, own: fixed('/api/v1/auth/me') },
  'post /api/v1/auth/password': { access: Permission.Self, own: fixed('/api/v1/auth/password', {}) },
  'post /api/v1/auth/logout': { access: Permission.Self, own: fixed('/api/v1/auth/logout'), endsSession: true },
  'post /api/v1/auth/logout-everywhere': { access: Permission.Self, own: fixed('/api/v1/auth/logout-everywhere'), endsSession: true },

  // administration (system scope)
  'post /api/v1/admin/embassies': { access: Permission.OrganisationsManage, own: fixed('/api/v1/admin/embassies', {}) },
  'get /api/v1/admin/embassies': { access: Permission.OrganisationsManage, own: fixed('/api/v1/admin/embassies') },
  'get /api/v1/admin/embassies/{id}': { access: Permission.OrganisationsManage, own: (cast) => ({ path: `/api/v1/admin/embassies/${cast.ids.embassyA}` }) },
  'patch /api/v1/admin/embassies/{id}': { access: Permission.OrganisationsManage, own: (cast) => ({ path: `/api/v1/admin/embassies/${cast.ids.embassyA}`, body: { bogus: 1 } }) },
  'post /api/v1/admin/organisations': { access: Permission.OrganisationsManage, own: fixed('/api/v1/admin/organisations', {}) },
  'get /api/v1/admin/organisations': { access: Permission.OrganisationsManage, own: fixed('/api/v1/admin/organisations') },
  'get /api/v1/admin/organisations/{id}': { access: Permission.OrganisationsManage, own: (cast) => ({ path: `/api/v1/admin/organisations/${cast.ids.orgX}` }) },
  'patch /api/v1/admin/organisations/{id}': { access: Permission.OrganisationsManage, own: (cast) => ({ path: `/api/v1/admin/organisations/${cast.ids.orgX}`, body: { bogus: 1 } }) },
  'post /api/v1/admin/invitations': { access: Permission.UsersManage, own: fixed('/api/v1/admin/invitations', {}) },
  'get /api/v1/admin/invitations': { access: Permission.UsersManage, own: fixed('/api/v1/admin/invitations') },
  'delete /api/v1/admin/invitations/{id}': { access: Permission.UsersManage, own: fixed(`/api/v1/admin/invitations/${nowhere}`) },
  'get /api/v1/admin/users': { access: Permission.UsersManage, own: fixed('/api/v1/admin/users') },
  'get /api/v1/admin/users/{id}': { access: Permission.UsersManage, own: (cast) => ({ path: `/api/v1/admin/users/${cast.members.contactA1.userId}` }) },
  'post /api/v1/admin/users/{id}/disable': { access: Permission.UsersManage, own: fixed(`/api/v1/admin/users/${nowhere}/disable`) },
  'post /api/v1/admin/users/{id}/reenrolment': { access: Permission.UsersManage, own: fixed(`/api/v1/admin/users/${nowhere}/reenrolment`) },
  'post /api/v1/admin/users/{id}/enable': { access: Permission.UsersManage, own: fixed(`/api/v1/admin/users/${nowhere}/enable`) },
  'patch /api/v1/admin/users/{id}/role': { access: Permission.UsersManage, own: fixed(`/api/v1/admin/users/${nowhere}/role`, {}) },

  // key directory and team keys (the caller's own scope)
  'get /api/v1/keys/users/{userId}': {
    access: Permission.KeyDirectoryRead,
    own: (cast, subject) => ({ path: `/api/v1/keys/users/${peer(cast, subject, OWN_SCOPE_PEER)}` }),
    otherScope: (cast, subject) => ({ path: `/api/v1/keys/users/${peer(cast, subject, OTHER_SCOPE_MEMBER)}` }),
  },
  'get /api/v1/keys/teams/{scopeId}': { access: Permission.KeyDirectoryRead, own: (cast) => ({ path: `/api/v1/keys/teams/${cast.ids.embassyA}` }) },
  'post /api/v1/keys/team': { access: Permission.TeamKeysManage, own: fixed('/api/v1/keys/team', {}) },
  'get /api/v1/keys/team/pending': { access: Permission.TeamKeysManage, own: fixed('/api/v1/keys/team/pending') },
  'get /api/v1/keys/team/members': { access: Permission.TeamKeysManage, own: fixed('/api/v1/keys/team/members') },
  'post /api/v1/keys/team/grants': { access: Permission.TeamKeysManage, own: fixed('/api/v1/keys/team/grants', {}) },
  'get /api/v1/keys/team/grants/mine': { access: Permission.TeamKeysManage, own: fixed('/api/v1/keys/team/grants/mine') },
  'get /api/v1/keys/team/data-keys': { access: Permission.TeamKeysManage, own: fixed('/api/v1/keys/team/data-keys') },
  'post /api/v1/keys/team/rotations': { access: Permission.TeamKeysManage, own: fixed('/api/v1/keys/team/rotations', {}) },
};
