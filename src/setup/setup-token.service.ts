/**
 * Issues the one-time setup token while the system has no administrator: 32 random
 * bytes, shown to the operator on the console and in DATA_DIR/setup-token (0600), of
 * which the database keeps only the SHA-256. A restart reuses a token still on disk
 * (so several starts do not invalidate what the operator copied); a token is consumed
 * for good when the first administrator is created (auth's setup route, which passes the
 * `SpentSetupToken` on to users as the first administrator's grant).
 *
 * Nobody has a session here: the token is the access check of `consume`, and the operator's
 * control of the server process that of `issueIfSetupPending` and `rearm`. The rearm's
 * audit event goes through AuditService, in the rearm's transaction.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { ensureDataDir, writePrivateFile } from '../common/config/server-keys';
import { Database } from '../common/database/database';
import { SetupTokenRepository } from './setup-token.repository';

export const SETUP_TOKEN_FILE = 'setup-token';

/** What `--rearm-setup` did, for the operator (the banner says it). */
export interface SetupRearm {
  /** The new setup token; any earlier one no longer works. */
  readonly token: string;
  /** Administrator accounts at the time, whatever their status, and how many of them are active. */
  readonly administrators: number;
  readonly activeAdministrators: number;
}

declare const spentBrand: unique symbol;

/** Proof that this transaction spent the setup token: only `consume` returns one. */
export interface SpentSetupToken {
  readonly [spentBrand]: 'SETUP_TOKEN';
}

export function hashSetupToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

@Injectable()
export class SetupTokenService {
  constructor(
    private readonly database: Database,
    private readonly setupTokens: SetupTokenRepository,
    private readonly audit: AuditService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /** Returns the token to show, or undefined once setup is done. */
  async issueIfSetupPending(dataDir: string): Promise<string | undefined> {
    const path = join(dataDir, SETUP_TOKEN_FILE);
    const onDisk = readTokenFile(path);
    const candidate = onDisk ?? randomBytes(32).toString('base64url');
    const row = await this.setupTokens.claim(this.database.manager, hashSetupToken(candidate));
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
    await this.setupTokens.replacePending(this.database.manager, hashSetupToken(fresh), this.clock.now());
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
    const counted = await this.database.transaction(async (manager) => {
      await this.setupTokens.rearm(manager, hashSetupToken(token), this.clock.now());
      await this.audit.record(manager, {
        action: 'setup.rearmed',
        outcome: 'SUCCESS',
        requestId: 'startup',
        scope: { type: 'SYSTEM', id: null },
      });
      return this.setupTokens.countAdministrators(manager);
    });
    ensureDataDir(dataDir);
    writePrivateFile(join(dataDir, SETUP_TOKEN_FILE), token + '\n');
    return { token, administrators: counted.administrators, activeAdministrators: counted.active };
  }

  /** Spends the token for good, in the caller's transaction; undefined when it is wrong or already spent. */
  async consume(manager: EntityManager, token: string): Promise<SpentSetupToken | undefined> {
    const spent = await this.setupTokens.consume(manager, hashSetupToken(token), this.clock.now());
    return spent ? ({} as SpentSetupToken) : undefined;
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
