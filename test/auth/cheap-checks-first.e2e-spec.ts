/**
 * Enrolment and setup check the invitation code or the setup token before anything else
 * of the request (docs/identity.md, "Invitation and enrolment"), so an anonymous client
 * with a bad code costs one indexed UPDATE and never an Argon2id hash. Shown by order:
 * a bad code sent with key material that the service would refuse (a fingerprint that
 * does not match its public keys: the DTO cannot see that) gets the code's refusal, not the
 * material's; with the right code the same material is refused (400) and the code stays
 * unspent. The hashes
 * come after both checks (auth.service.ts: consume → checkEnrolmentKeys → hashEnrolmentKeys).
 */
import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { enrolUser } from '../../src/client/crypto';
import { readyCrypto } from '../../src/crypto/protocol-hash';
import { startEgide, type EgideServer } from '../../src/server';
import { loadCast } from '../support/cast';
import { makeTempDir, TEST_SERVER_SECRET, testEnv } from '../support/test-app';
import { cloneTestDatabase, querySql, type TestDatabase } from '../support/test-database';

let database: TestDatabase;
let server: EgideServer;
const dataDir = makeTempDir('egide-cheap-checks-');

beforeAll(async () => {
  await readyCrypto();
  database = await cloneTestDatabase();
  // Re-armed, so that a live setup token exists beside the cast's administrator.
  server = await startEgide({
    env: testEnv({ DATABASE_URL: database.url, DATA_DIR: dataDir, SERVER_SECRET: TEST_SERVER_SECRET, LOG_LEVEL: 'silent' }),
    rearmSetup: true,
  });
});

afterAll(async () => {
  await server.close();
  await database.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function post(path: string, body: unknown): Promise<{ status: number; problem: { type?: string; errors?: { field: string }[] } }> {
  const response = await fetch(`${server.url}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, problem: (await response.json()) as { type?: string; errors?: { field: string }[] } };
}

/** Material that passes the DTO but that the service refuses: the fingerprint of other keys. */
function refusedMaterial(): ReturnType<typeof enrolUser>['material'] {
  return { ...enrolUser('any passphrase will do here', {}).material, fingerprint: '00000 00000 00000 00000 00000 00000 00000 00000' };
}

it('refuses a bad invitation code before looking at the key material; the right code then meets the material refusal and stays unspent', async () => {
  const email = 'cheap.checks@embassy-a.example';
  const code = randomBytes(32).toString('base64url');
  const cast = loadCast();
  await querySql(
    database.url,
    `INSERT INTO invitations (code_hash, email, role, embassy_id, created_by, expires_at) VALUES ($1, $2, 'EMBASSY_CONTACT', $3, $4, now() + interval '1 day')`,
    [createHash('sha256').update(code).digest(), email, cast.ids.embassyA, cast.members.admin.userId],
  );
  const keys = refusedMaterial();

  const badCode = await post('/auth/enrol', { invitationCode: randomBytes(32).toString('base64url'), email, keys });
  expect(badCode).toMatchObject({ status: 403, problem: { type: 'urn:egide:problem:forbidden' } });
  // The right code for another e-mail is as bad.
  const otherEmail = await post('/auth/enrol', { invitationCode: code, email: 'someone.else@embassy-a.example', keys });
  expect(otherEmail.status).toBe(403);

  const rightCode = await post('/auth/enrol', { invitationCode: code, email, keys });
  expect(rightCode.status).toBe(400);
  expect(rightCode.problem.errors?.map((error) => error.field)).toEqual(['keys.fingerprint']);
  const [invitation] = await querySql<{ used_at: Date | null }>(database.url, 'SELECT used_at FROM invitations WHERE email = $1', [email]);
  expect(invitation.used_at).toBeNull();

  const fine = await post('/auth/enrol', { invitationCode: code, email, keys: enrolUser('a long enough passphrase for cheap checks', {}).material });
  expect(fine.status).toBe(201);
});

it('refuses a bad setup token before looking at the key material; the right token then meets the material refusal and stays unspent', async () => {
  const email = 'cheap.admin@egide.test';
  const keys = refusedMaterial();
  const badToken = await post('/setup', { setupToken: randomBytes(32).toString('base64url'), email, keys });
  expect(badToken).toMatchObject({ status: 403, problem: { type: 'urn:egide:problem:forbidden' } });

  const rightToken = await post('/setup', { setupToken: server.setupToken, email, keys });
  expect(rightToken.status).toBe(400);
  expect(rightToken.problem.errors?.map((error) => error.field)).toEqual(['keys.fingerprint']);
  const [token] = await querySql<{ consumed_at: Date | null }>(database.url, 'SELECT consumed_at FROM setup_token');
  expect(token.consumed_at).toBeNull();

  const fine = await post('/setup', { setupToken: server.setupToken, email, keys: enrolUser('a long enough passphrase for the setup', {}).material });
  expect(fine.status).toBe(201);
});
