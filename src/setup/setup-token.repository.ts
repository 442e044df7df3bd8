/**
 * Every query on the setup token, as raw SQL: its one row (id = 1) holds the SHA-256 of
 * the token, never the token. The token is the scope of these queries: nobody has a
 * session before the first administrator exists. Also the one read of another feature's
 * table setup needs: how many administrators exist, for the operator's banner after
 * `--rearm-setup` (a count, never a row).
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface SetupTokenRow {
  token_hash: Buffer;
  consumed_at: Date | null;
}

export interface AdministratorCountRow {
  administrators: number;
  active: number;
}

// The row is taken with an upsert so that two instances starting together agree on one token.
const CLAIM_TOKEN = `INSERT INTO setup_token (id, token_hash) VALUES (1, $1)
  ON CONFLICT (id) DO UPDATE SET token_hash = setup_token.token_hash
  RETURNING token_hash, consumed_at`;

const REPLACE_PENDING_TOKEN = `UPDATE setup_token SET token_hash = $1, created_at = $2 WHERE id = 1 AND consumed_at IS NULL`;

const REARM_TOKEN = `INSERT INTO setup_token (id, token_hash, created_at) VALUES (1, $1, $2)
  ON CONFLICT (id) DO UPDATE SET token_hash = EXCLUDED.token_hash, consumed_at = NULL, created_at = EXCLUDED.created_at`;

const CONSUME_TOKEN = `UPDATE setup_token SET consumed_at = $2 WHERE id = 1 AND consumed_at IS NULL AND token_hash = $1`;

const COUNT_ADMINISTRATORS = `SELECT count(*)::int AS administrators, (count(*) FILTER (WHERE status = 'ACTIVE'))::int AS active
  FROM users WHERE role = 'ADMIN'`;

@Injectable()
export class SetupTokenRepository {
  /** The stored token (this candidate's hash when there was none), and whether it is spent. */
  async claim(manager: EntityManager, candidateHash: Buffer): Promise<SetupTokenRow> {
    const rows = (await manager.query(CLAIM_TOKEN, [candidateHash])) as SetupTokenRow[];
    return rows[0];
  }

  async replacePending(manager: EntityManager, tokenHash: Buffer, now: Date): Promise<void> {
    await manager.query(REPLACE_PENDING_TOKEN, [tokenHash, now]);
  }

  /** A new, unspent token, whatever the row held. */
  async rearm(manager: EntityManager, tokenHash: Buffer, now: Date): Promise<void> {
    await manager.query(REARM_TOKEN, [tokenHash, now]);
  }

  /** Spends the token for good; false when the hash is wrong or the token already spent. */
  async consume(manager: EntityManager, tokenHash: Buffer, now: Date): Promise<boolean> {
    const [, affected] = (await manager.query(CONSUME_TOKEN, [tokenHash, now])) as [unknown, number];
    return affected === 1;
  }

  async countAdministrators(manager: EntityManager): Promise<AdministratorCountRow> {
    const rows = (await manager.query(COUNT_ADMINISTRATORS)) as AdministratorCountRow[];
    return rows[0];
  }
}
