/**
 * Files the CLI keeps for the user under `$EGIDE_HOME` (the encrypted session, the
 * encrypted trust store): written 0600 in a 0700 directory, and by rename, so that a
 * crash never leaves half a file and no one else's file is ever reused.
 *
 * This module owns how such files reach the disk; it never sees what they mean and is
 * only ever given ciphertext.
 */
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import sodium from 'libsodium-wrappers-sumo';
import { toBase64Url } from '../client';

/** Creates `directory` (and its parents) 0700, tightening an existing one: it holds the user's files. */
export function ensurePrivateDirectory(directory: string): void {
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  // An existing directory keeps its mode through mkdir.
  chmodSync(directory, 0o700);
}

/** Writes `data` to `path` through a fresh 0600 temporary file, fsync'd, then renamed over it. */
export function writePrivateFileAtomically(path: string, data: string | Uint8Array): void {
  ensurePrivateDirectory(dirname(path));
  const temporary = `${path}.${process.pid}.${toBase64Url(sodium.randombytes_buf(6))}.tmp`;
  // Created 0600 exclusively: the umask can only remove bits.
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    if (typeof data === 'string') writeSync(fd, data);
    else writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}
