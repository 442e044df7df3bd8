/**
 * `egide setup` at a person's terminal, on a server re-armed with a setup token: the
 * token and the password are asked without echo (the password twice), the account's
 * secrets are shown once, and TOTP is activated with a code typed from the secret just
 * shown. A wrong token is refused (exit 4), a malformed one is invalid (exit 7); two
 * different passwords stop before any request (exit 2).
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { base32Decode, totpCode, totpStep } from '../../src/auth/totp';
import { startEgide, type EgideServer } from '../../src/server';
import { makeTempDir, TEST_SERVER_SECRET, testEnv } from '../support/test-app';
import { cloneTestDatabase, type TestDatabase } from '../support/test-database';
import { CliHarness } from './cli-harness';

let database: TestDatabase;
let server: EgideServer;
const dataDir = makeTempDir('egide-cli-setup-');
const harnesses: CliHarness[] = [];

function harness(): CliHarness {
  const made = new CliHarness(server.url);
  harnesses.push(made);
  return made;
}

beforeAll(async () => {
  database = await cloneTestDatabase();
  server = await startEgide({
    env: testEnv({ DATABASE_URL: database.url, DATA_DIR: dataDir, SERVER_SECRET: TEST_SERVER_SECRET, LOG_LEVEL: 'silent' }),
    rearmSetup: true,
  });
});

afterAll(async () => {
  for (const made of harnesses) made.cleanup();
  await server.close();
  await database.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

it('stops before any request when the two passwords differ (exit 2)', async () => {
  const result = await harness().run(['setup', '--email', 'second.admin@egide.test'], { answers: [server.setupToken ?? '', 'one long passphrase here', 'another long passphrase here'] });
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('differ');
});

it('refuses a wrong setup token (exit 4) and a malformed one (exit 7)', async () => {
  const password = 'a long enough passphrase for the setup';
  const wrong = await harness().run(['setup', '--email', 'second.admin@egide.test'], { answers: [randomBytes(32).toString('base64url'), password, password] });
  expect(wrong.code).toBe(4);
  const malformed = await harness().run(['setup', '--email', 'second.admin@egide.test'], { answers: ['not-a-token', password, password] });
  expect(malformed.code).toBe(7);
});

it('creates the administrator, shows the secrets once and activates TOTP from a typed code', async () => {
  let secret = '';
  const typedCode = ({ stdout }: { stdout: string }): string => {
    secret = /TOTP secret:\s+(\S+)/.exec(stdout)?.[1] ?? '';
    return totpCode(base32Decode(secret), totpStep(Math.floor(Date.now() / 1000)));
  };
  const cli = harness();
  const password = 'second administrator password';
  const result = await cli.run(['setup', '--email', 'second.admin@egide.test'], { answers: [server.setupToken ?? '', password, password, typedCode] });
  expect(result.code).toBe(0);
  expect(result.prompts).toEqual(['(secret) Setup token: ', '(secret) New password: ', '(secret) Repeat the new password: ', 'TOTP code: ']);
  expect(result.stdout).toMatch(/Account:\s+second\.admin@egide\.test \(ADMIN, SYSTEM\)/);
  expect(result.stdout).toMatch(/Recovery key:\s+\S+/);
  expect(result.stdout).toContain('otpauth://totp/');
  expect(result.stdout).not.toContain(password);
  expect(result.stderr).toContain('TOTP is active.');

  const next = totpCode(base32Decode(secret), totpStep(Math.floor(Date.now() / 1000)) + 1);
  expect((await cli.login('second.admin@egide.test', password, next)).code).toBe(0);
  expect((await cli.run(['whoami'])).stdout).toMatch(/Role:\s+ADMIN/);
});
