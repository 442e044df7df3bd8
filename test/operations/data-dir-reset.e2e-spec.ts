/**
 * Deleting DATA_DIR to start afresh, when the embedded cluster had to be relocated (as
 * root, a DATA_DIR the postgres OS user cannot reach): the relocated cluster belongs to
 * one DATA_DIR identity; a new DATA_DIR at the same path gets a new cluster, the old one
 * is reported and left as it was, and no other DATA_DIR's cluster is touched.
 *
 * An ordinary user runs PostgreSQL as itself and never needs relocation, so most of
 * these tests force it (`relocateAlways`) into a relocation root of their own: the same
 * code runs as for root, minus the chown to the postgres OS user. The last test goes
 * through startEgide without forcing anything: as root it exercises the real
 * relocation to /var/lib/egide, as another user the plain DATA_DIR/pg.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { EmbeddedPostgres, type EmbeddedPostgresLog } from '../../src/common/database/embedded-postgres';
import { DATA_DIR_ID_FILE, DATA_DIR_PATH_FILE, legacyFolderName } from '../../src/common/database/relocated-cluster';
import { startEgide } from '../../src/server';
import { makeTempDir, testEnv } from '../support/test-app';

class RecordedLog implements EmbeddedPostgresLog {
  readonly lines: string[] = [];
  info(message: string): void {
    this.lines.push(`info ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`warn ${message}`);
  }
  debug(): void {
    // PostgreSQL's own output is not what these tests look at.
  }
  text(): string {
    return this.lines.join('\n');
  }
}

const base = makeTempDir('egide-reset-');
const root = join(base, 'relocated');

afterAll(() => rmSync(base, { recursive: true, force: true }));

function identityOf(dataDir: string): string {
  return readFileSync(join(dataDir, DATA_DIR_ID_FILE), 'utf8').trim();
}

async function startCluster(dataDir: string, log = new RecordedLog()): Promise<{ server: EmbeddedPostgres; log: RecordedLog }> {
  const server = await EmbeddedPostgres.start({ dataDir: join(dataDir, 'pg'), secretsDir: dataDir, log, relocationRoot: root, relocateAlways: true });
  return { server, log };
}

async function databases(server: EmbeddedPostgres): Promise<string[]> {
  const client = new Client({ connectionString: server.urlFor('postgres') });
  await client.connect();
  try {
    return ((await client.query('SELECT datname FROM pg_database ORDER BY datname')).rows as { datname: string }[]).map((row) => row.datname);
  } finally {
    await client.end();
  }
}

describe('a relocated cluster belongs to one DATA_DIR', () => {
  const dataDir = join(base, 'checkout', 'data');
  const otherDataDir = join(base, 'other-checkout', 'data');
  let firstId: string;

  it('is linked from DATA_DIR/pg, records its identity and path, and is reused on restart', async () => {
    const first = await startCluster(dataDir);
    try {
      firstId = identityOf(dataDir);
      expect(firstId).toMatch(/^[0-9a-f]{16}$/);
      expect(first.server.clusterDir).toBe(join(root, firstId, 'pg'));
      expect(lstatSync(join(dataDir, 'pg')).isSymbolicLink()).toBe(true);
      expect(readlinkSync(join(dataDir, 'pg'))).toBe(join(root, firstId, 'pg'));
      expect(readFileSync(join(root, firstId, DATA_DIR_ID_FILE), 'utf8').trim()).toBe(firstId);
      expect(readFileSync(join(root, firstId, DATA_DIR_PATH_FILE), 'utf8').trim()).toBe(realpathSync(dataDir));
      expect(first.log.text()).toContain('initialising a new PostgreSQL cluster');
      await first.server.ensureDatabase('written_by_the_first_data_dir');
    } finally {
      await first.server.stop();
    }

    const again = await startCluster(dataDir);
    try {
      expect(again.server.clusterDir).toBe(join(root, firstId, 'pg'));
      expect(again.log.text()).not.toContain('initialising');
      expect(await databases(again.server)).toContain('written_by_the_first_data_dir');
    } finally {
      await again.server.stop();
    }
  });

  it('gives a DATA_DIR deleted and created again a new cluster, and reports the old one without touching it', async () => {
    rmSync(dataDir, { recursive: true, force: true });
    const fresh = await startCluster(dataDir);
    try {
      const freshId = identityOf(dataDir);
      expect(freshId).not.toBe(firstId);
      expect(fresh.server.clusterDir).toBe(join(root, freshId, 'pg'));
      expect(fresh.log.text()).toContain('initialising a new PostgreSQL cluster');
      expect(await databases(fresh.server)).not.toContain('written_by_the_first_data_dir');
      expect(fresh.log.text()).toContain(`made for an earlier DATA_DIR at ${realpathSync(dataDir)}`);
      expect(fresh.log.text()).toContain(`rm -rf ${join(root, firstId)}`);
    } finally {
      await fresh.server.stop();
    }
    // The old cluster is left exactly where it was, with its identity.
    expect(existsSync(join(root, firstId, 'pg', 'PG_VERSION'))).toBe(true);
    expect(readFileSync(join(root, firstId, DATA_DIR_ID_FILE), 'utf8').trim()).toBe(firstId);
  });

  it('neither reports nor touches the cluster of a DATA_DIR at another path', async () => {
    const ownId = identityOf(dataDir);
    const other = await startCluster(otherDataDir);
    try {
      const otherId = identityOf(otherDataDir);
      expect(otherId).not.toBe(ownId);
      expect(other.server.clusterDir).toBe(join(root, otherId, 'pg'));
      expect(other.log.text()).not.toContain(ownId);
      expect(other.log.text()).not.toContain(firstId);
    } finally {
      await other.server.stop();
    }
    const own = await startCluster(dataDir);
    try {
      expect(own.server.clusterDir).toBe(join(root, ownId, 'pg'));
      expect(own.log.text()).not.toContain('initialising');
      // Still only the deleted DATA_DIR's cluster is reported, not the other path's.
      expect(own.log.text()).toContain(`rm -rf ${join(root, firstId)}`);
      expect(own.log.text()).not.toContain(identityOf(otherDataDir));
    } finally {
      await own.server.stop();
    }
  });

  it("refuses a link to another DATA_DIR's cluster, naming both identities", async () => {
    const intruder = join(base, 'intruder', 'data');
    mkdirSync(intruder, { recursive: true });
    const otherId = identityOf(otherDataDir);
    symlinkSync(join(root, otherId, 'pg'), join(intruder, 'pg'));
    // An identity of its own, as a DATA_DIR that once relocated would have.
    writeFileSync(join(intruder, DATA_DIR_ID_FILE), '0123456789abcdef\n', { mode: 0o600 });
    await expect(startCluster(intruder)).rejects.toThrow(`belongs to another DATA_DIR (identity ${otherId}; this DATA_DIR is 0123456789abcdef)`);
    expect(readFileSync(join(root, otherId, DATA_DIR_PATH_FILE), 'utf8').trim()).toBe(realpathSync(otherDataDir));
  });

  it('stops at once, saying what to do, when the password file no longer matches the cluster', async () => {
    const passwordFile = join(dataDir, 'pg-superuser-password');
    rmSync(passwordFile);
    await expect(startCluster(dataDir)).rejects.toThrow(`refuses the password in ${passwordFile}`);
  });
});

describe('a cluster relocated before identities existed', () => {
  const dataDir = join(base, 'legacy-checkout', 'data');

  it('is adopted through its link, and reported once DATA_DIR is deleted and created again', async () => {
    // Lay out what an earlier Egide left: /<root>/<sha256 of the DATA_DIR path, 16 hex>/pg
    // and the link, without any identity file.
    const made = await startCluster(dataDir);
    await made.server.stop();
    const legacyFolder = join(root, legacyFolderName(dataDir));
    renameSync(dirname(made.server.clusterDir), legacyFolder);
    rmSync(join(legacyFolder, DATA_DIR_ID_FILE));
    rmSync(join(legacyFolder, DATA_DIR_PATH_FILE));
    rmSync(join(dataDir, DATA_DIR_ID_FILE));
    rmSync(join(dataDir, 'pg'));
    symlinkSync(join(legacyFolder, 'pg'), join(dataDir, 'pg'));

    const adopted = await startCluster(dataDir);
    try {
      expect(adopted.server.clusterDir).toBe(join(legacyFolder, 'pg'));
      expect(adopted.log.text()).not.toContain('initialising');
      expect(readFileSync(join(legacyFolder, DATA_DIR_ID_FILE), 'utf8').trim()).toBe(identityOf(dataDir));
    } finally {
      await adopted.server.stop();
    }

    // The case of the report: data/ deleted before this version ever started on it.
    rmSync(join(legacyFolder, DATA_DIR_ID_FILE));
    rmSync(join(legacyFolder, DATA_DIR_PATH_FILE));
    rmSync(dataDir, { recursive: true, force: true });
    const fresh = await startCluster(dataDir);
    try {
      expect(fresh.server.clusterDir).toBe(join(root, identityOf(dataDir), 'pg'));
      expect(fresh.log.text()).toContain(`rm -rf ${legacyFolder}`);
    } finally {
      await fresh.server.stop();
    }
    expect(existsSync(join(legacyFolder, 'pg', 'PG_VERSION'))).toBe(true);
  });
});

describe('npm start after deleting DATA_DIR below a directory the postgres user cannot enter', () => {
  const home = makeTempDir('egide-private-home-');
  const relocated: string[] = [];

  afterAll(() => {
    rmSync(home, { recursive: true, force: true });
    for (const folder of relocated) rmSync(folder, { recursive: true, force: true });
  });

  it('starts afresh (as root: on a new relocated cluster under /var/lib/egide)', async () => {
    chmodSync(home, 0o700);
    const dataDir = join(home, 'checkout', 'data');
    const env = testEnv({ DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent' });
    const clusterOf = (description: string): string => description.match(/\(-> ([^)]+)\)/)?.[1] ?? join(dataDir, 'pg');

    const tokens: (string | undefined)[] = [];
    const clusters: string[] = [];
    for (const round of [1, 2]) {
      if (round === 2) rmSync(dataDir, { recursive: true, force: true });
      const server = await startEgide({ env });
      try {
        expect((await fetch(`${server.url}/api/v1/health/ready`)).status).toBe(200);
        tokens.push(server.setupToken);
        clusters.push(clusterOf(server.database.description));
        if (clusters[clusters.length - 1] !== join(dataDir, 'pg')) relocated.push(dirname(clusters[clusters.length - 1]));
      } finally {
        await server.close();
      }
    }
    // A fresh database: no administrator, a new setup token.
    expect(tokens[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(tokens[1]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(tokens[1]).not.toBe(tokens[0]);
    if (userInfo().uid === 0) {
      expect(clusters[0]).toMatch(/^\/var\/lib\/egide\/[0-9a-f]{16}\/pg$/);
      expect(clusters[1]).toMatch(/^\/var\/lib\/egide\/[0-9a-f]{16}\/pg$/);
      expect(clusters[1]).not.toBe(clusters[0]);
      expect(existsSync(join(clusters[0], 'PG_VERSION'))).toBe(true);
    } else {
      expect(clusters).toEqual([join(dataDir, 'pg'), join(dataDir, 'pg')]);
    }
  });
});
