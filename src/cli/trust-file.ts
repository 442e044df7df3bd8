/**
 * The CLI's trust store on disk: one file per user under `$EGIDE_HOME/trust/`, holding
 * the blob the SDK sealed under the user's own key (src/client/trust-store.ts). It is
 * kept across logins, unlike the session: what this device has verified about other
 * members must outlive a session, or every login would be a first use again.
 *
 * This module only moves ciphertext between the SDK and the disk; it must never be
 * handed, or write, the state in clear.
 */
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { TrustStorage } from '../client';
import { egideHome } from './session-store';
import { writePrivateFileAtomically } from './private-files';

export function trustFilePath(env: Readonly<Record<string, string | undefined>>, userId: string): string {
  return join(egideHome(env), 'trust', `${userId.toLowerCase()}.egtrust`);
}

export class TrustFile implements TrustStorage {
  constructor(readonly path: string) {}

  read(): Promise<Uint8Array | null> {
    if (!existsSync(this.path)) return Promise.resolve(null);
    return Promise.resolve(new Uint8Array(readFileSync(this.path)));
  }

  write(blob: Uint8Array): Promise<void> {
    writePrivateFileAtomically(this.path, blob);
    return Promise.resolve();
  }

  /** Renames the unreadable file to `<name>.unreadable-<time>` (kept, never deleted: it may be evidence). */
  setAside(): Promise<string> {
    const aside = `${this.path}.unreadable-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(this.path, aside);
    return Promise.resolve(aside);
  }
}
