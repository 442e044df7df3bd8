/**
 * Bodies whose nested objects are missing, null, or lists of something else (`[[]]`,
 * `[1]`): every route that takes one answers 400 application/problem+json naming the
 * member, never a 500 (src/common/http/nested-validation.ts is the one place this is
 * declared).
 */
import { randomUUID } from 'node:crypto';
import { createCase } from '../src/client/case-flow';
import { readyCrypto } from '../src/crypto/protocol-hash';
import { newCase } from './cases/case-factory';
import { startCastApp, type CastApp } from './support/cast';
import { setUpEmbassyTeams, type EmbassyTeams } from './support/teams';

let app: CastApp;
let teams: EmbassyTeams;
let caseId: string;

beforeAll(async () => {
  await readyCrypto();
  app = await startCastApp();
  teams = await setUpEmbassyTeams(app);
  caseId = (await createCase(teams.sessions.contactA1, newCase('nested'))).id;
});

afterAll(async () => {
  await app.close();
});

interface Probe {
  route: string;
  path: () => string;
  body: Record<string, unknown>;
  field: string;
  signedIn: boolean;
}

const probes: Probe[] = [
  { route: 'create without wrap', path: () => '/api/v1/cases', body: { revision: {}, blindIndexes: [] }, field: 'wrap', signedIn: true },
  { route: 'create without revision', path: () => '/api/v1/cases', body: { wrap: {}, blindIndexes: [] }, field: 'revision', signedIn: true },
  { route: 'create with null revision', path: () => '/api/v1/cases', body: { revision: null, wrap: {}, blindIndexes: [] }, field: 'revision', signedIn: true },
  { route: 'create with a list in the blind indexes', path: () => '/api/v1/cases', body: { blindIndexes: [[]] }, field: 'blindIndexes', signedIn: true },
  { route: 'transfer without wrap', path: () => `/api/v1/cases/${caseId}/transfer`, body: { version: 1, targetEmbassyId: randomUUID(), signature: 'x' }, field: 'wrap', signedIn: true },
  { route: 'event without revision', path: () => `/api/v1/cases/${caseId}/events`, body: { id: randomUUID(), type: 'CONTACT' }, field: 'revision', signedIn: true },
  { route: 'team without grant', path: () => '/api/v1/keys/team', body: { teamBoxPublicKey: 'x' }, field: 'grant', signedIn: true },
  { route: 'rotation without history link', path: () => '/api/v1/keys/team/rotations', body: { generation: 2, teamBoxPublicKey: 'x', grants: [{}], resealedDataKeys: [] }, field: 'historyLink', signedIn: true },
  { route: 'rotation with a number for a grant', path: () => '/api/v1/keys/team/rotations', body: { grants: [1] }, field: 'grants', signedIn: true },
  { route: 're-signing with a list for a signature', path: () => '/api/v1/keys/team/wrap-signatures', body: { signatures: [[]] }, field: 'signatures', signedIn: true },
  { route: 'enrolment without keys', path: () => '/api/v1/auth/enrol', body: { invitationCode: 'x', email: 'someone@example.org' }, field: 'keys', signedIn: false },
  { route: 'enrolment with keys but no kdf', path: () => '/api/v1/auth/enrol', body: { invitationCode: 'x', email: 'someone@example.org', keys: { publicKeys: {} } }, field: 'keys.kdf', signedIn: false },
];

describe.each(probes)('$route', (probe) => {
  it(`answers 400 problem+json naming ${probe.field}`, async () => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (probe.signedIn) headers.authorization = `Bearer ${teams.sessions.contactA1.currentRawAccessToken}`;
    const response = await app.request(probe.path(), { method: 'POST', headers, body: JSON.stringify(probe.body) });
    const problem = (await response.json()) as { errors?: { field: string }[] };
    expect({ status: response.status, type: response.headers.get('content-type') }).toEqual({ status: 400, type: expect.stringContaining('application/problem+json') as string });
    expect((problem.errors ?? []).map((error) => error.field)).toContain(probe.field);
  });
});
