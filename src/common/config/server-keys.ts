/**
 * The server's own secret and the keys derived from it (token signing, encryption of
 * TOTP secrets at rest, decoy pre-login parameters). One root secret, one derivation
 * (HKDF-SHA256 with a purpose label), so that adding a purpose never adds a variable.
 *
 * These keys protect the server's own state only. They never open sealed content: that
 * is client-side by design (docs/protocol.md), and nothing here may change that.
 */
import { createSecretKey, randomBytes, hkdfSync, type KeyObject } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from './environment';

export const SERVER_SECRET_FILE = 'server-secret';

/** Purposes are part of the derivation: renaming one changes its key. */
export type ServerKeyPurpose = 'access-token-signing' | 'totp-at-rest' | 'prelogin-decoy' | 'sign-in-address-tag' | 'rate-limit-key';

export class ServerKeys {
  private constructor(private readonly root: Buffer) {}

  static fromSecret(secretBase64url: string): ServerKeys {
    const root = Buffer.from(secretBase64url, 'base64url');
    if (root.length < 32) throw new Error('server secret shorter than 32 bytes');
    return new ServerKeys(root);
  }

  /**
   * SERVER_SECRET when set; otherwise the secret generated once into DATA_DIR (mode
   * 0600). `loadConfig` has already refused production without SERVER_SECRET.
   */
  static load(config: AppConfig): ServerKeys {
    if (config.serverSecret !== undefined) return ServerKeys.fromSecret(config.serverSecret);
    if (config.nodeEnv === 'production') throw new Error('SERVER_SECRET is required in production');
    return ServerKeys.fromSecret(readOrCreateSecretFile(config.dataDir));
  }

  derive(purpose: ServerKeyPurpose, length = 32): Buffer {
    return Buffer.from(hkdfSync('sha256', this.root, Buffer.alloc(0), `egide/server/${purpose}`, length));
  }

  /**
   * The same key as a KeyObject. jsonwebtoken, given a Buffer, first tries to parse it
   * as a public key and catches the failure on every verification: that cost ~10 % of
   * an authenticated request's CPU (measured, docs/performance.md).
   */
  deriveKeyObject(purpose: ServerKeyPurpose): KeyObject {
    return createSecretKey(this.derive(purpose));
  }
}

/**
 * DATA_DIR is searchable but not listable by others (0711): every file in it is 0600,
 * and the embedded PostgreSQL, run as the `postgres` OS user when we are root, must be
 * able to reach its cluster below it.
 */
export function ensureDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o711 });
}

/** Writes a file only its owner can read, replacing any previous one. */
export function writePrivateFile(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
}

function readOrCreateSecretFile(dataDir: string): string {
  const path = join(dataDir, SERVER_SECRET_FILE);
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  ensureDataDir(dataDir);
  const secret = randomBytes(32).toString('base64url');
  // 'wx': two instances starting on one DATA_DIR must not overwrite each other's secret.
  try {
    writeFileSync(path, secret + '\n', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(path, 'utf8').trim();
    throw error;
  }
  return secret;
}
