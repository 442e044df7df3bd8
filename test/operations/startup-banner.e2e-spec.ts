/**
 * What the banner says after start-up (the lines main.ts prints): where Egide listens,
 * and the setup token last, on a line of its own, with why it is there — first setup,
 * or `--rearm-setup` saying what it did (a new token although administrators exist, or
 * in place of an earlier one) — or no token at all once an administrator exists.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startEgide, type EgideServer } from '../../src/server';
import { startupBanner } from '../../src/startup-banner';
import { makeTempDir, TEST_SERVER_SECRET, testEnv } from '../support/test-app';
import { cloneTestDatabase, querySql, type TestDatabase } from '../support/test-database';

const dataDir = makeTempDir('egide-banner-');
let database: TestDatabase;

beforeAll(async () => {
  database = await cloneTestDatabase();
});

afterAll(async () => {
  await database.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The banner's lines without the blank ones, and the last of them. */
function bannerOf(server: EgideServer): { text: string; last: string } {
  const lines = startupBanner(server).filter((line) => line.trim() !== '');
  return { text: lines.join('\n'), last: lines[lines.length - 1] };
}

async function withServer(env: Record<string, string>, rearmSetup: boolean, check: (server: EgideServer) => Promise<void> | void): Promise<void> {
  const server = await startEgide({ env, rearmSetup });
  try {
    await check(server);
  } finally {
    await server.close();
  }
}

describe('on a database whose administrator exists (the cast)', () => {
  const env = (): Record<string, string> =>
    testEnv({ DATABASE_URL: database.url, DATA_DIR: dataDir, SERVER_SECRET: TEST_SERVER_SECRET, LOG_LEVEL: 'silent' });

  it('shows no token on a normal start', async () => {
    await withServer(env(), false, (server) => {
      const banner = bannerOf(server);
      expect(server.setupToken).toBeUndefined();
      expect(banner.text).toContain(`Egide listening on ${server.url}/api/v1`);
      expect(banner.text).not.toMatch(/setup token|administrator/);
      expect(banner.last).toBe('Stop with Ctrl-C or SIGTERM.');
    });
  });

  it('--rearm-setup says it issued a new token although administrators exist, and how many', async () => {
    await querySql(database.url, `UPDATE users SET status = 'DISABLED' WHERE role = 'ADMIN'`);
    await withServer(env(), true, (server) => {
      const banner = bannerOf(server);
      expect(server.setupRearm).toEqual({ token: server.setupToken, administrators: 1, activeAdministrators: 0 });
      expect(banner.text).toContain('--rearm-setup: issued a new one-time setup token although 1 administrator account exists (0 active);');
      expect(banner.text).toContain('any earlier setup token no longer works (audited as setup.rearmed)');
      expect(banner.text).not.toContain('No administrator exists yet');
      expect(banner.text).toContain(`and this one-time setup token, also kept in ${join(dataDir, 'setup-token')} (mode 0600):`);
      expect(banner.last).toBe(`    ${server.setupToken}`);
    });
  });
});

describe('on a fresh embedded database', () => {
  const freshDir = join(dataDir, 'fresh');
  const env = (): Record<string, string> => testEnv({ DATABASE_URL: '', DATA_DIR: freshDir, LOG_LEVEL: 'silent' });

  it('shows the first-setup token last, then --rearm-setup replaces it and says so', async () => {
    let first: string | undefined;
    await withServer(env(), false, (server) => {
      const banner = bannerOf(server);
      first = server.setupToken;
      expect(server.setupRearm).toBeUndefined();
      expect(banner.text).toContain('No administrator exists yet. Create the first one with');
      expect(banner.text).toContain(`  egide setup --server ${server.url} --email <address>`);
      expect(banner.last).toBe(`    ${first}`);
    });
    await withServer(env(), true, (server) => {
      const banner = bannerOf(server);
      expect(server.setupRearm).toMatchObject({ administrators: 0, activeAdministrators: 0 });
      expect(server.setupToken).not.toBe(first);
      expect(banner.text).toContain('--rearm-setup: no administrator exists yet; a new one-time setup token replaces the earlier one,');
      expect(banner.last).toBe(`    ${server.setupToken}`);
    });
  });
});
