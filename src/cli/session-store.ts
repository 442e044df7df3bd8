/**
 * The CLI's session cache, in the manner of the Bitwarden CLI: `egide login` draws a
 * random 32-byte session key, prints it for the shell (EGIDE_SESSION), and writes the
 * exported session (tokens and the unlocked user seed) to `$EGIDE_HOME/session.json`
 * sealed with XChaCha20-Poly1305 under that key. The file is 0600 in a 0700 directory,
 * written by rename so that a crash never leaves half a file.
 *
 * This module must never write the exported session, the key or a token in clear, and
 * never keep the key anywhere but in memory: whoever has both the file and the key holds
 * the user's keys until the session ends.
 */
import { closeSync, existsSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import sodium from 'libsodium-wrappers-sumo';
import { fromBase64Url, readyCrypto, toBase64Url, type ExportedSession } from '../client';
import { CliError, ExitCode } from './exit-codes';
import { ensurePrivateDirectory, writePrivateFileAtomically } from './private-files';

export const SESSION_ENV = 'EGIDE_SESSION';
export const SESSION_KEY_BYTES = 32;
const SESSION_FILE = 'session.json';
const LOCK_FILE = 'session.lock';
const FORMAT = 'egide-cli-session';
const VERSION = 1;
/** Binds the ciphertext to its purpose and format version. */
const ASSOCIATED_DATA = `${FORMAT}/v${VERSION}`;
const LOCK_WAIT_MS = 10_000;
const LOCK_STALE_MS = 30_000;

interface SessionFile {
  format: typeof FORMAT;
  version: typeof VERSION;
  nonce: string;
  ciphertext: string;
}

export const SIGN_IN_HINT = 'Sign in with `eval "$(egide login --email YOU)"`, or `export EGIDE_SESSION=…` with the key `egide login` printed.';

/** `$EGIDE_HOME`, else `$XDG_CONFIG_HOME/egide`, else `~/.config/egide`. */
export function egideHome(env: Readonly<Record<string, string | undefined>>): string {
  if (env.EGIDE_HOME !== undefined && env.EGIDE_HOME !== '') return env.EGIDE_HOME;
  if (env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== '') return join(env.XDG_CONFIG_HOME, 'egide');
  return join(env.HOME ?? homedir(), '.config', 'egide');
}

export function newSessionKey(): Uint8Array {
  return sodium.randombytes_buf(SESSION_KEY_BYTES);
}

/** Decodes EGIDE_SESSION; anything but 32 bytes of base64url is "not signed in". */
export function parseSessionKey(text: string | undefined): Uint8Array {
  if (text === undefined || text === '') throw new CliError('not signed in: EGIDE_SESSION is not set', ExitCode.NotSignedIn, SIGN_IN_HINT);
  let key: Uint8Array;
  try {
    key = fromBase64Url(text.trim(), SESSION_ENV);
  } catch {
    throw new CliError('EGIDE_SESSION is not a session key', ExitCode.NotSignedIn, SIGN_IN_HINT);
  }
  if (key.length !== SESSION_KEY_BYTES) throw new CliError('EGIDE_SESSION is not a session key', ExitCode.NotSignedIn, SIGN_IN_HINT);
  return key;
}

export class SessionStore {
  readonly directory: string;
  readonly path: string;
  private readonly lockPath: string;

  constructor(env: Readonly<Record<string, string | undefined>>) {
    this.directory = egideHome(env);
    this.path = join(this.directory, SESSION_FILE);
    this.lockPath = join(this.directory, LOCK_FILE);
  }

  exists(): boolean {
    return existsSync(this.path);
  }

  async save(session: ExportedSession, key: Uint8Array): Promise<void> {
    await readyCrypto();
    const nonce = sodium.randombytes_buf(sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    const plaintext = sodium.from_string(JSON.stringify(session));
    const ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, ASSOCIATED_DATA, null, nonce, key);
    sodium.memzero(plaintext);
    const file: SessionFile = { format: FORMAT, version: VERSION, nonce: toBase64Url(nonce), ciphertext: toBase64Url(ciphertext) };
    writePrivateFileAtomically(this.path, JSON.stringify(file));
  }

  async load(key: Uint8Array): Promise<ExportedSession> {
    await readyCrypto();
    if (!this.exists()) throw new CliError('not signed in: no session on this machine', ExitCode.NotSignedIn, SIGN_IN_HINT);
    let file: SessionFile;
    try {
      file = JSON.parse(readFileSync(this.path, 'utf8')) as SessionFile;
    } catch {
      throw new CliError(`the session file ${this.path} is unreadable`, ExitCode.NotSignedIn, SIGN_IN_HINT);
    }
    if (file.format !== FORMAT || file.version !== VERSION) {
      throw new CliError(`the session file ${this.path} has an unknown format`, ExitCode.NotSignedIn, SIGN_IN_HINT);
    }
    let plaintext: Uint8Array;
    try {
      plaintext = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
        null,
        fromBase64Url(file.ciphertext, 'ciphertext'),
        ASSOCIATED_DATA,
        fromBase64Url(file.nonce, 'nonce'),
        key,
      );
    } catch {
      throw new CliError('EGIDE_SESSION does not open the session on this machine (another login replaced it?)', ExitCode.NotSignedIn, SIGN_IN_HINT);
    }
    try {
      return JSON.parse(sodium.to_string(plaintext)) as ExportedSession;
    } finally {
      sodium.memzero(plaintext);
    }
  }

  remove(): boolean {
    const existed = this.exists();
    rmSync(this.path, { force: true });
    return existed;
  }

  /**
   * Runs `work` while holding the session lock: a refresh token works once, so two
   * commands refreshing the same one at the same time would make the server revoke the
   * whole session (reuse detection). A lock left by a crashed command goes stale.
   */
  async withLock<T>(work: () => Promise<T>): Promise<T> {
    this.ensureDirectory();
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        closeSync(openSync(this.lockPath, 'wx', 0o600));
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        if (this.lockAgeMs() > LOCK_STALE_MS) rmSync(this.lockPath, { force: true });
        else if (Date.now() > deadline) throw new CliError(`another egide command holds ${this.lockPath}`, ExitCode.Unexpected);
        else await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    try {
      return await work();
    } finally {
      rmSync(this.lockPath, { force: true });
    }
  }

  private lockAgeMs(): number {
    try {
      return Date.now() - statSync(this.lockPath).mtimeMs;
    } catch {
      return 0;
    }
  }

  private ensureDirectory(): void {
    ensurePrivateDirectory(this.directory);
  }
}
