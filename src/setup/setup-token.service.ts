/**
 * Issues the one-time setup token while the system has no administrator: 32 random
 * bytes, shown to the operator on the console and in DATA_DIR/setup-token (0600), of
 * which the database keeps only the SHA-256. A restart reuses a token still on disk
 * (so several starts do not invalidate what the operator copied); a token is consumed
 * for good when the first administrator is created (the identity feature does that).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { writePrivateFile, ensureDataDir } from '../common/config/server-keys';

export const SETUP_TOKEN_FILE = 'setup-token';

/** What `--rearm-setup` did, for the operator (the banner says it). */
export interface SetupRearm {
  /** The new setup token; any earlier one no longer works. */
  readonly token: string;
  /** Administrator accounts at the time, whatever their status, and how many of them are active. */
  readonly administrators: number;
  readonly activeAdministrators: number;
}

export function hashSetupToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

@Injectable()
export class SetupTokenService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Returns the token to show, or undefined once setup is done. The row is taken with
   * an upsert so that two instances starting together agree on one token.
   */
  async issueIfSetupPending(dataDir: string): Promise<string | undefined> {
    const path = join(dataDir, SETUP_TOKEN_FILE);
    const onDisk = readTokenFile(path);
    const candidate = onDisk ?? randomBytes(32).toString('base64url');
    const rows = (await this.dataSource.query(
      `INSERT INTO setup_token (id, token_hash) VALUES (1, $1)
       ON CONFLICT (id) DO UPDATE SET token_hash = setup_token.token_hash
       RETURNING token_hash, consumed_at`,
      [hashSetupToken(candidate)],
    )) as { token_hash: Buffer; consumed_at: Date | null }[];
    const [row] = rows;
    if (row.consumed_at !== null) {
      rmSync(path, { force: true });
      return undefined;
    }
    if (sameHash(row.token_hash, hashSetupToken(candidate))) {
      if (onDisk === undefined) {
        ensureDataDir(dataDir);
        writePrivateFile(path, candidate + '\n');
      }
      return candidate;
    }
    // The stored hash belongs to a token this instance cannot show (its file is gone):
    // replace it, so that the operator always holds a working token.
    const fresh = randomBytes(32).toString('base64url');
    await this.dataSource.query(`UPDATE setup_token SET token_hash = $1, created_at = now() WHERE id = 1 AND consumed_at IS NULL`, [
      hashSetupToken(fresh),
    ]);
    ensureDataDir(dataDir);
    writePrivateFile(path, fresh + '\n');
    return fresh;
  }

  /**
   * The operator's way back when no administrator can sign in (docs/identity.md): a
   * new setup token, valid again for POST /setup. Only someone who can restart the
   * server with `--rearm-setup` can do it, and it is audited. No data is exposed:
   * administrators hold no scope key.
   */
  async rearm(dataDir: string): Promise<SetupRearm> {
    const token = randomBytes(32).toString('base64url');
    const counted = await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO setup_token (id, token_hash) VALUES (1, $1)
         ON CONFLICT (id) DO UPDATE SET token_hash = EXCLUDED.token_hash, consumed_at = NULL, created_at = now()`,
        [hashSetupToken(token)],
      );
      await manager.query(
        `INSERT INTO audit_events (action, outcome, request_id, scope_type, details) VALUES ('setup.rearmed', 'SUCCESS', 'startup', 'SYSTEM', '{}')`,
      );
      return (await manager.query(
        `SELECT count(*)::int AS administrators, (count(*) FILTER (WHERE status = 'ACTIVE'))::int AS active FROM users WHERE role = 'ADMIN'`,
      )) as { administrators: number; active: number }[];
    });
    ensureDataDir(dataDir);
    writePrivateFile(join(dataDir, SETUP_TOKEN_FILE), token + '\n');
    return { token, administrators: counted[0].administrators, activeAdministrators: counted[0].active };
  }

  /** Spends the token for good; false when it is wrong or already spent. */
  async consume(manager: EntityManager, token: string, now: Date): Promise<boolean> {
    const [, affected] = (await manager.query(
      `UPDATE setup_token SET consumed_at = $2 WHERE id = 1 AND consumed_at IS NULL AND token_hash = $1`,
      [hashSetupToken(token), now],
    )) as [unknown, number];
    return affected === 1;
  }

}

function readTokenFile(path: string): string | undefined {
  try {
    const token = readFileSync(path, 'utf8').trim();
    return token === '' ? undefined : token;
  } catch {
    return undefined;
  }
}

function sameHash(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
