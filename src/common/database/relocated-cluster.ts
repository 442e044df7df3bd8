/**
 * Where the embedded cluster lives when the `postgres` OS user cannot reach DATA_DIR
 * (Egide runs as root and the checkout sits below a 0700 home): in a folder of its own
 * under a relocation root (`/var/lib/egide`), linked from `DATA_DIR/pg`.
 *
 * Such a folder belongs to exactly one DATA_DIR: DATA_DIR keeps a random identity
 * (`DATA_DIR/data-dir-id`), the folder is named after it and records it, with the path
 * of the DATA_DIR that last used it. A DATA_DIR deleted and created again at the same
 * path gets a new identity, hence a new cluster initialised with its new password,
 * instead of an old cluster that refuses that password. The cluster the deleted DATA_DIR
 * left behind is recognised and reported with the command that removes it.
 *
 * This module never deletes nor changes a folder of another identity: a DATA_DIR that
 * was moved keeps pointing at its cluster, whichever path now holds a new DATA_DIR.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, symlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ensureDataDir, writePrivateFile } from '../config/server-keys';

export const DEFAULT_RELOCATION_ROOT = '/var/lib/egide';
/** In DATA_DIR and in a relocated folder: the identity they share. */
export const DATA_DIR_ID_FILE = 'data-dir-id';
/** In a relocated folder: the real path of the DATA_DIR that last started on it (for people and for the stale check). */
export const DATA_DIR_PATH_FILE = 'data-dir';

const ID_PATTERN = /^[0-9a-f]{16}$/;

export interface RelocationLog {
  warn(message: string): void;
}

/** A relocated folder that no DATA_DIR uses any more, as far as this start can tell. */
export interface StaleCluster {
  readonly folder: string;
  /** The DATA_DIR path it was made for. */
  readonly dataDir: string;
}

/** True when `path` is a symbolic link, dangling or not. */
export function isSymbolicLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function readIdentity(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (!ID_PATTERN.test(text)) throw new Error(`${path} does not hold a DATA_DIR identity (16 hexadecimal digits); remove it to start afresh`);
  return text;
}

function readOwnerPath(folder: string): string | undefined {
  try {
    return readFileSync(join(folder, DATA_DIR_PATH_FILE), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The DATA_DIR's identity, created on first need. */
export function dataDirIdentity(dataDir: string): string {
  const path = join(dataDir, DATA_DIR_ID_FILE);
  const existing = readIdentity(path);
  if (existing !== undefined) return existing;
  ensureDataDir(dataDir);
  const id = randomBytes(8).toString('hex');
  writePrivateFile(path, id + '\n');
  return id;
}

/** Where an Egide before identities relocated the cluster of a DATA_DIR at this path. */
export function legacyFolderName(dataDir: string): string {
  return createHash('sha256').update(realpathSync(dataDir)).digest('hex').slice(0, 16);
}

/**
 * Creates the folder and any missing parent 0711 whatever the umask: the postgres OS
 * user must traverse them to its cluster, and may list none of them.
 */
function makeTraversable(folder: string): void {
  const first = mkdirSync(folder, { recursive: true, mode: 0o711 });
  if (first !== undefined) {
    for (let dir = folder; dir.length >= first.length; dir = dirname(dir)) chmodSync(dir, 0o711);
  }
  chmodSync(folder, 0o711);
}

function recordOwner(folder: string, dataDir: string, id: string): void {
  makeTraversable(folder);
  writePrivateFile(join(folder, DATA_DIR_ID_FILE), id + '\n');
  writePrivateFile(join(folder, DATA_DIR_PATH_FILE), realpathSync(dataDir) + '\n');
}

/**
 * `DATA_DIR/pg` is a link to a relocated cluster: follow it, after checking that the
 * folder belongs to this DATA_DIR. A folder from before identities (none recorded) is
 * adopted; so is the folder's identity when DATA_DIR lost its own file.
 */
export function followRelocatedCluster(link: string): { clusterDir: string; folder: string } {
  const dataDir = dirname(link);
  const clusterDir = resolve(dataDir, readlinkSync(link));
  const folder = dirname(clusterDir);
  const recorded = readIdentity(join(folder, DATA_DIR_ID_FILE));
  const own = readIdentity(join(dataDir, DATA_DIR_ID_FILE));
  if (recorded !== undefined && own !== undefined && recorded !== own) {
    throw new Error(
      `${link} points to ${clusterDir}, which belongs to another DATA_DIR (identity ${recorded}; this DATA_DIR is ${own}). ` +
        `Remove the link ${link} to give this DATA_DIR a cluster of its own.`,
    );
  }
  const id = own ?? recorded ?? dataDirIdentity(dataDir);
  if (own === undefined && recorded !== undefined) writePrivateFile(join(dataDir, DATA_DIR_ID_FILE), id + '\n');
  recordOwner(folder, dataDir, id);
  return { clusterDir, folder };
}

/**
 * Gives `DATA_DIR/pg` a relocated cluster under `root`, in the folder named after the
 * DATA_DIR's identity (reused when it already exists: the link alone was lost), and
 * links it from `DATA_DIR/pg`.
 */
export function relocateCluster(link: string, root: string, log: RelocationLog): { clusterDir: string; folder: string } {
  const dataDir = dirname(link);
  const id = dataDirIdentity(dataDir);
  const folder = join(root, id);
  const clusterDir = join(folder, 'pg');
  recordOwner(folder, dataDir, id);
  log.warn(`the postgres OS user cannot reach ${dataDir}; keeping the cluster in ${clusterDir} (linked from ${link})`);
  symlinkSync(clusterDir, link);
  return { clusterDir, folder };
}

/**
 * Relocated folders made for a DATA_DIR at this path that this DATA_DIR does not use:
 * the path was deleted and created again (new identity), or the folder predates
 * identities. Only reported, never removed: such a DATA_DIR may have been moved.
 */
export function staleClusters(root: string, dataDir: string, ownFolder: string): StaleCluster[] {
  if (!existsSync(root)) return [];
  const path = realpathSync(dataDir);
  const legacy = legacyFolderName(dataDir);
  const stale: StaleCluster[] = [];
  for (const name of readdirSync(root).sort()) {
    const folder = join(root, name);
    if (resolve(folder) === resolve(ownFolder) || !lstatSync(folder).isDirectory()) continue;
    let recordedId: string | undefined;
    try {
      recordedId = readIdentity(join(folder, DATA_DIR_ID_FILE));
    } catch {
      continue;
    }
    const madeForThisPath = recordedId === undefined ? basename(folder) === legacy : readOwnerPath(folder) === path;
    if (madeForThisPath) stale.push({ folder, dataDir: path });
  }
  return stale;
}
