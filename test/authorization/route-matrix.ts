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
import { querySql } from '../support/test-database';

export type Access = 'public' | Permission;

/**
 * One signed-in member per role, nobody, and a member without a grant: contactA2 is an
 * EMBASSY_CONTACT of embassy A, whose team contactA1 founded (the matrix test does, in
 * its setup) without granting it to contactA2. Routes whose permission needs a team
 * grant (TEAM_GRANT_REQUIRED) answer it 403 `team-grant-required`; the others let it by.
 */
export const SUBJECTS = ['anonymous', 'admin', 'auditor', 'contactA1', 'contactA2', 'ngoX1', 'coordinator1'] as const;
export type Subject = (typeof SUBJECTS)[number];

/** The member of a scope that has a team, holding no grant of it. */
export const UNGRANTED_SUBJECT = 'contactA2' satisfies Subject;

/**
 * Members whose scope has no team at all in the matrix's database (organisation X, the
 * network): a route that needs a grant answers them 403 `team-grant-required` too.
 */
export const TEAMLESS_SUBJECTS: readonly Subject[] = ['ngoX1', 'coordinator1'];

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
const OWN_SCOPE_PEER: Partial<Record<Subject, CastKey>> = { contactA1: 'contactA2', contactA2: 'contactA1', ngoX1: 'ngoX1', coordinator1: 'coordinator2' };

function peer(cast: Cast, subject: Subject): string {
  const key = OWN_SCOPE_PEER[subject];
  return key === undefined ? nowhere : cast.members[key].userId;
}

/**
 * One case per embassy, present in the matrix's database (prepareRouteMatrix): routes
 * with a case id aim at embassy A's for the own-scope call and at embassy B's for the
 * other-scope call. Own-scope calls use bodies that pass validation but stop before any
 * change (a stale version, a wrong confirmation), so the fixture stays as it is.
 */
export const MATRIX_CASES = {
  embassyA: '6f1d2c3b-4a59-4e68-8d7c-0a1b2c3d4e5f',
  embassyB: '7a2e3d4c-5b6a-4f79-9e8d-1b2c3d4e5f60',
} as const;

/** Writes the matrix's fixture cases (clear skeletons: the matrix opens nothing). */
export async function prepareRouteMatrix(databaseUrl: string, cast: Cast): Promise<void> {
  const fixtures = [
    { id: MATRIX_CASES.embassyA, embassyId: cast.ids.embassyA, author: cast.members.contactA1.userId, reference: 'KE-2026-9001' },
    { id: MATRIX_CASES.embassyB, embassyId: cast.ids.embassyB, author: cast.members.contactB1.userId, reference: 'CO-2026-9001' },
  ];
  for (const fixture of fixtures) {
    await querySql(
      databaseUrl,
      `INSERT INTO cases (id, reference, embassy_id, status, risk_level, threat_types, defender_groups, country_of_activity, version,
                          key_id, envelopes, revision, revision_author_id, revision_signature, created_by)
       VALUES ($1, $2, $3, 'OPEN', 'HIGH', '{}', '{}', 'KE', 1, $4, '[{"field":"identity","envelope":"AQE"}]'::jsonb, 1, $5, 'unsigned-fixture', $5)`,
      [fixture.id, fixture.reference, fixture.embassyId, randomUUID(), fixture.author],
    );
  }
}

const caseA = (suffix = '') => (): MatrixCall => ({ path: `/api/v1/cases/${MATRIX_CASES.embassyA}${suffix}` });
const caseB = (suffix = '') => (): MatrixCall => ({ path: `/api/v1/cases/${MATRIX_CASES.embassyB}${suffix}` });
const caseCall = (target: string, suffix: string, body: unknown) => (): MatrixCall => ({ path: `/api/v1/cases/${target}${suffix}`, body });
const blindIndex = 'A'.repeat(22);
const validEventBody = {
  id: randomUUID(),
  type: 'CONTACT',
  revision: { entity: 'case_event', recordId: randomUUID(), version: 1, authorUserId: randomUUID(), envelopes: [{ field: 'body', envelope: 'AQE' }], signature: 'AA' },
};
/** Well-formed (it passes validation), but signed by nobody: the own-scope call stops at its stale version. */
const unsigned = 'A'.repeat(86);
const transferBody = (cast: Cast, version: number, caseId: string) => ({
  version,
  targetEmbassyId: cast.ids.embassyB,
  wrap: { keyId: randomUUID(), scopeId: cast.ids.embassyB, generation: 1, sealed: 'AA', entity: 'case', recordId: caseId, writerUserId: randomUUID(), signature: unsigned },
  signature: unsigned,
});

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
  'post /api/v1/admin/users/{id}/disable': { access: Permission.UsersManage, own: fixed(`/api/v1/admin/users/${nowhere}/disable`, { version: 1 }) },
  'post /api/v1/admin/users/{id}/reenrolment': { access: Permission.UsersManage, own: fixed(`/api/v1/admin/users/${nowhere}/reenrolment`) },
  'post /api/v1/admin/users/{id}/enable': { access: Permission.UsersManage, own: fixed(`/api/v1/admin/users/${nowhere}/enable`, { version: 1 }) },
  'patch /api/v1/admin/users/{id}/role': { access: Permission.UsersManage, own: fixed(`/api/v1/admin/users/${nowhere}/role`, { role: 'AUDITOR', version: 1 }) },

  // key directory and team keys (the caller's own scope)
  // Public keys of any key-holding member (a reader compares a transferred case's author);
  // only the grants are scoped, and test/keys/team-keys.e2e-spec.ts shows another scope's are never served.
  'get /api/v1/keys/users/{userId}': {
    access: Permission.KeyDirectoryRead,
    own: (cast, subject) => ({ path: `/api/v1/keys/users/${peer(cast, subject)}` }),
  },
  'get /api/v1/keys/teams/{scopeId}': { access: Permission.KeyDirectoryRead, own: (cast) => ({ path: `/api/v1/keys/teams/${cast.ids.embassyA}` }) },
  'post /api/v1/keys/team': { access: Permission.TeamKeysManage, own: fixed('/api/v1/keys/team', {}) },
  'get /api/v1/keys/team/pending': { access: Permission.TeamKeysManage, own: fixed('/api/v1/keys/team/pending') },
  'get /api/v1/keys/team/members': { access: Permission.TeamKeysManage, own: fixed('/api/v1/keys/team/members') },
  'post /api/v1/keys/team/grants': { access: Permission.TeamKeysManage, own: fixed('/api/v1/keys/team/grants', {}) },
  'get /api/v1/keys/team/grants/mine': { access: Permission.TeamKeysManage, own: fixed('/api/v1/keys/team/grants/mine') },
  'get /api/v1/keys/team/data-keys': { access: Permission.TeamDataKeysRead, own: fixed('/api/v1/keys/team/data-keys') },
  'post /api/v1/keys/team/rotations': { access: Permission.TeamKeysManage, own: fixed('/api/v1/keys/team/rotations', {}) },
  'get /api/v1/keys/team/rotations/current': { access: Permission.TeamKeysManage, own: fixed('/api/v1/keys/team/rotations/current') },
  'get /api/v1/keys/team/rotations/{rotationId}/pending-data-keys': {
    access: Permission.TeamDataKeysRead,
    own: fixed(`/api/v1/keys/team/rotations/${nowhere}/pending-data-keys`),
  },
  'post /api/v1/keys/team/rotations/{rotationId}/chunks': {
    access: Permission.TeamKeysManage,
    own: fixed(`/api/v1/keys/team/rotations/${nowhere}/chunks`, {}),
  },
  'post /api/v1/keys/team/rotations/{rotationId}/completion': {
    access: Permission.TeamKeysManage,
    own: fixed(`/api/v1/keys/team/rotations/${nowhere}/completion`),
  },
  'post /api/v1/keys/team/wrap-signatures': { access: Permission.TeamKeysManage, own: fixed('/api/v1/keys/team/wrap-signatures', {}) },

  // defender cases (the caller's embassy); own-scope calls stop at validation or a stale version
  'post /api/v1/cases': { access: Permission.CaseWrite, own: fixed('/api/v1/cases', {}) },
  'get /api/v1/cases': { access: Permission.CaseRead, own: fixed('/api/v1/cases') },
  'post /api/v1/cases/duplicate-search': {
    access: Permission.CaseRead,
    own: fixed('/api/v1/cases/duplicate-search', { fieldId: 'name', values: [blindIndex] }),
  },
  'get /api/v1/cases/by-reference/{reference}': {
    access: Permission.CaseRead,
    own: fixed('/api/v1/cases/by-reference/KE-2026-9001'),
    otherScope: fixed('/api/v1/cases/by-reference/CO-2026-9001'),
  },
  'get /api/v1/cases/{id}': { access: Permission.CaseRead, own: caseA(), otherScope: caseB() },
  'patch /api/v1/cases/{id}': {
    access: Permission.CaseWrite,
    own: caseCall(MATRIX_CASES.embassyA, '', { version: 999 }),
    otherScope: caseCall(MATRIX_CASES.embassyB, '', { version: 1 }),
  },
  'post /api/v1/cases/{id}/status': {
    access: Permission.CaseWrite,
    own: caseCall(MATRIX_CASES.embassyA, '/status', { version: 999, to: 'ASSESSING' }),
    otherScope: caseCall(MATRIX_CASES.embassyB, '/status', { version: 1, to: 'ASSESSING' }),
  },
  'post /api/v1/cases/{id}/assign': {
    access: Permission.CaseWrite,
    own: caseCall(MATRIX_CASES.embassyA, '/assign', { version: 999, assigneeId: null }),
    otherScope: caseCall(MATRIX_CASES.embassyB, '/assign', { version: 1, assigneeId: null }),
  },
  'post /api/v1/cases/{id}/events': {
    access: Permission.CaseWrite,
    own: caseCall(MATRIX_CASES.embassyA, '/events', {}),
    otherScope: caseCall(MATRIX_CASES.embassyB, '/events', validEventBody),
  },
  'get /api/v1/cases/{id}/events': { access: Permission.CaseRead, own: caseA('/events'), otherScope: caseB('/events') },
  'post /api/v1/cases/{id}/transfer': {
    access: Permission.CaseWrite,
    own: (cast) => ({ path: `/api/v1/cases/${MATRIX_CASES.embassyA}/transfer`, body: transferBody(cast, 999, MATRIX_CASES.embassyA) }),
    otherScope: (cast) => ({ path: `/api/v1/cases/${MATRIX_CASES.embassyB}/transfer`, body: transferBody(cast, 1, MATRIX_CASES.embassyB) }),
  },
  'post /api/v1/cases/{id}/shred': {
    access: Permission.CaseWrite,
    own: caseCall(MATRIX_CASES.embassyA, '/shred', { confirm: 'no', version: 1, signature: unsigned }),
    otherScope: caseCall(MATRIX_CASES.embassyB, '/shred', { confirm: 'SHRED CO-2026-9001', version: 1, signature: unsigned }),
  },
};
