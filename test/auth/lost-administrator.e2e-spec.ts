/**
 * The operator's way back when no administrator can sign in: restarting the server
 * with --rearm-setup issues a new setup token; POST /setup then creates a new
 * administrator, who can disable the lost one. Audited; no scope key is involved.
 */
import { rmSync } from 'node:fs';
import { EgideClient } from '../../src/client/egide-client';
import { startEgide } from '../../src/server';
import { castTotp, loadCast } from '../support/cast';
import { makeTempDir, TEST_SERVER_SECRET, testEnv } from '../support/test-app';
import { cloneTestDatabase, querySql, type TestDatabase } from '../support/test-database';
import { base32Decode, totpCode, totpStep } from '../../src/auth/totp';

let database: TestDatabase;
const dataDir = makeTempDir('egide-rearm-');

beforeAll(async () => {
  database = await cloneTestDatabase();
});

afterAll(async () => {
  await database.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

it('issues no token while an administrator exists, and a new one with --rearm-setup', async () => {
  const env = testEnv({ DATABASE_URL: database.url, DATA_DIR: dataDir, SERVER_SECRET: TEST_SERVER_SECRET, LOG_LEVEL: 'silent' });
  const normal = await startEgide({ env });
  expect(normal.setupToken).toBeUndefined();
  await normal.close();

  const rearmed = await startEgide({ env, rearmSetup: true });
  try {
    expect(rearmed.setupToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const client = new EgideClient(rearmed.url);
    const account = await client.setup(rearmed.setupToken ?? '', 'second.admin@egide.test', 'second admin password');
    expect(account.user.role).toBe('ADMIN');
    const secret = base32Decode(account.totp.secret);
    const now = Math.floor(Date.now() / 1000);
    await account.confirmTotp(totpCode(secret, totpStep(now)));
    const session = await client.login('second.admin@egide.test', 'second admin password', totpCode(secret, totpStep(now) + 1));
    const lost = loadCast().members.admin;
    await expect(session.admin.disableUser(lost.userId, { version: (await session.admin.getUser(lost.userId)).version })).resolves.toMatchObject({ status: 'DISABLED' });
    await expect(client.login(lost.email, lost.password, castTotp(lost, now + 60))).rejects.toMatchObject({ status: 401 });
  } finally {
    await rearmed.close();
  }
  const audit = await querySql<{ action: string }>(database.url, `SELECT action FROM audit_events WHERE action LIKE 'setup.%' ORDER BY occurred_at`);
  expect(audit.map((row) => row.action)).toEqual(['setup.admin-created', 'setup.rearmed', 'setup.admin-created']);
});
