/**
 * `npm start` on a machine with nothing configured: an embedded PostgreSQL initialised
 * under DATA_DIR/pg, secrets and the setup token written 0600, the banner; a second
 * start reuses everything; shutdown drains in-flight requests and stops the database.
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { ConfigValidationError } from '../src/common/config/environment';
import { startupBanner } from '../src/startup-banner';
import { startEgide, type EgideServer } from '../src/server';
import { ProbeModule } from './probe/probe.module';
import { CapturedLog, makeTempDir, testEnv } from './support/test-app';

const mode = (path: string): number => statSync(path).mode & 0o777;

function postmasterPid(clusterDir: string): number {
  return Number(readFileSync(join(clusterDir, 'postmaster.pid'), 'utf8').split('\n', 1)[0]);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('first start on an empty DATA_DIR, then a restart', () => {
  const root = makeTempDir('egide-first-start-');
  const dataDir = join(root, 'data');
  const env = testEnv({ DATA_DIR: dataDir, DATABASE_URL: '' });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('initialises, serves, prints the banner, and reuses the data on restart', async () => {
    const firstLog = new CapturedLog();
    const first = await startEgide({ env, logDestination: firstLog });
    let firstToken: string | undefined;
    let clusterPid: number;
    try {
      expect(first.database.embedded).toBe(true);
      expect((await fetch(`${first.url}/api/v1/health/ready`)).status).toBe(200);
      expect(existsSync(join(dataDir, 'pg', 'PG_VERSION'))).toBe(true);
      expect(firstLog.text()).toContain('initialising a new PostgreSQL cluster');

      firstToken = first.setupToken;
      expect(firstToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(readFileSync(join(dataDir, 'setup-token'), 'utf8').trim()).toBe(firstToken);
      expect(mode(join(dataDir, 'setup-token'))).toBe(0o600);
      expect(mode(join(dataDir, 'server-secret'))).toBe(0o600);
      expect(mode(join(dataDir, 'pg-superuser-password'))).toBe(0o600);
      // The structured log is not where a secret goes.
      expect(firstLog.text()).not.toContain(firstToken);
      expect(firstLog.text()).not.toContain(readFileSync(join(dataDir, 'pg-superuser-password'), 'utf8').trim());

      const banner = startupBanner(first).join('\n');
      expect(banner).toContain(`Egide listening on ${first.url}/api/v1`);
      expect(banner).toContain(`API docs: ${first.url}/api/docs`);
      expect(banner).toContain(`embedded PostgreSQL in ${join(dataDir, 'pg')}`);
      expect(banner).toContain(firstToken);
      expect(banner).not.toContain(readFileSync(join(dataDir, 'pg-superuser-password'), 'utf8').trim());
      clusterPid = postmasterPid(join(dataDir, 'pg'));
    } finally {
      await first.close();
    }
    expect(isAlive(clusterPid)).toBe(false);

    const secondLog = new CapturedLog();
    const second = await startEgide({ env, logDestination: secondLog });
    try {
      expect((await fetch(`${second.url}/api/v1/health/ready`)).status).toBe(200);
      expect(secondLog.text()).not.toContain('initialising a new PostgreSQL cluster');
      expect(second.setupToken).toBe(firstToken);
    } finally {
      await second.close();
    }
  });
});

describe('graceful shutdown', () => {
  const dataDir = makeTempDir('egide-shutdown-');
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('lets an in-flight request finish, then refuses new ones and stops the database', async () => {
    const server: EgideServer = await startEgide({
      env: testEnv({ DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent' }),
      additionalModules: [ProbeModule],
    });
    const clusterPid = postmasterPid(join(dataDir, 'pg'));
    const inFlight = fetch(`${server.url}/api/v1/probe/slow?ms=700`);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const closing = server.close();
    const response = await inFlight;
    expect(response.status).toBe(200);
    await expect(response.json()).resolves.toEqual({ waited: 700 });
    await closing;
    await expect(fetch(`${server.url}/api/v1/health`)).rejects.toThrow();
    expect(isAlive(clusterPid)).toBe(false);
  });

  it('cuts a request that outlives the shutdown bound', async () => {
    const server = await startEgide({
      env: testEnv({ DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent', SHUTDOWN_TIMEOUT_MS: '200' }),
      additionalModules: [ProbeModule],
    });
    const stuck = fetch(`${server.url}/api/v1/probe/slow?ms=5000`).then(
      () => 'answered',
      () => 'cut',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    await server.close();
    // Had shutdown waited for it, the 5-second request would have been answered.
    await expect(stuck).resolves.toBe('cut');
  });
});

describe('as root, with DATA_DIR below a directory the postgres user cannot enter', () => {
  const home = makeTempDir('egide-private-home-');

  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('still starts, keeping the cluster where PostgreSQL can reach it', async () => {
    const { chmodSync } = await import('node:fs');
    chmodSync(home, 0o700);
    const dataDir = join(home, 'checkout', 'data');
    mkdirSync(dataDir, { recursive: true });
    const server = await startEgide({ env: testEnv({ DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent' }) });
    let relocatedTo: string | undefined;
    try {
      expect((await fetch(`${server.url}/api/v1/health/ready`)).status).toBe(200);
      const pgPath = join(dataDir, 'pg');
      if (userInfo().uid === 0) {
        // PostgreSQL runs as the postgres OS user, which cannot traverse `home`.
        expect(lstatSync(pgPath).isSymbolicLink()).toBe(true);
        relocatedTo = server.database.description.match(/\(-> ([^)]+)\)/)?.[1];
        expect(relocatedTo).toMatch(/^\/var\/lib\/egide\/[0-9a-f]{16}\/pg$/);
      } else {
        // An ordinary user runs PostgreSQL as itself: no relocation is needed.
        expect(lstatSync(pgPath).isDirectory()).toBe(true);
      }
      expect(existsSync(join(pgPath, 'PG_VERSION'))).toBe(true);
    } finally {
      await server.close();
      if (relocatedTo !== undefined) rmSync(join(relocatedTo, '..'), { recursive: true, force: true });
    }
  });
});

describe('configuration failure', () => {
  it('refuses to start, listing every invalid variable, before touching the database', async () => {
    const dataDir = makeTempDir('egide-bad-config-');
    try {
      const attempt = startEgide({ env: testEnv({ DATA_DIR: dataDir, PORT: 'http', NODE_ENV: 'production', LOG_LEVEL: 'chatty' }) });
      await expect(attempt).rejects.toThrow(ConfigValidationError);
      await expect(attempt).rejects.toThrow(/PORT[\s\S]*LOG_LEVEL[\s\S]*SERVER_SECRET/);
      expect(existsSync(join(dataDir, 'pg'))).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
