/**
 * Every query of authentication: principals for the guard, credentials for login,
 * lockout counters, sessions and refresh tokens. Times are parameters (the server's
 * Clock), never SQL's now(), so that tests can move time. Writes that must agree under
 * concurrency (a TOTP step used once, a refresh token exchanged once, the lockout
 * counters, a client address's budget) are single conditional statements, decided by
 * PostgreSQL.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { TeamGrantState } from '../common/authz/actor';
import { COORDINATORS_NETWORK_ID, scopeOf, type Role, type Scope } from '../common/authz/roles';
import type { EncryptedKeyBundle } from '../crypto/key-bundles';
import { User } from '../users/user.entity';
import type { Pool } from 'pg';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

export interface Principal {
  userId: string;
  role: Role;
  scope: Scope;
  /** The scope's current team generation and whether the user holds it; null for system roles. */
  teamGrant: TeamGrantState | null;
}

/** The two credentials that can be locked, each on its own (docs/identity.md, "Brute force"). */
export type Credential = 'password' | 'recovery';

// Fixed identifiers, never input: the columns of each credential's lock.
const LOCK_COLUMNS: Record<Credential, { guesses: string; lockedUntil: string; lockouts: string }> = {
  password: { guesses: 'failed_attempts', lockedUntil: 'locked_until', lockouts: 'lockouts' },
  recovery: { guesses: 'recovery_failed_attempts', lockedUntil: 'recovery_locked_until', lockouts: 'recovery_lockouts' },
};

/** What a password change or a recovery stores: new KDF parameters, authKey hash and wrapped seed. */
export interface PasswordCredentials {
  kdfSalt: string;
  kdfOpslimit: number;
  kdfMemlimit: number;
  authKeyHash: string;
  passwordBundle: EncryptedKeyBundle;
}

export interface NewUser {
  id: string;
  email: string;
  /** From the invitation (docs/identity.md); null for the first administrator. */
  displayName: string | null;
  role: Role;
  embassyId: string | null;
  organizationId: string | null;
  kdfSalt: string;
  kdfOpslimit: number;
  kdfMemlimit: number;
  authKeyHash: string;
  recoveryAuthKeyHash: string;
  boxPublicKey: string;
  signPublicKey: string;
  fingerprint: string;
  passwordBundle: EncryptedKeyBundle;
  recoveryBundle: EncryptedKeyBundle;
  totpSecretSealed: Buffer;
}

/**
 * The guard's check, as one statement by primary keys ($1 user, $2 session, $3 token
 * version, $4 the network's id), run when the principal cache cannot answer. Exported so
 * that bench/run.ts measures the very SQL the guard runs. Every column it reads is
 * watched by the notifying triggers (migration 1795909100000): a condition on a new
 * column needs a trigger change too, or the caches of other instances will not hear of it.
 */
export const PRINCIPAL_SQL = `SELECT u.role, u.embassy_id, u.organization_id, t.generation AS current_generation, g.id IS NOT NULL AS holds_current
     FROM users u JOIN login_sessions s ON s.user_id = u.id
     LEFT JOIN LATERAL (
          SELECT k.scope_id, k.generation FROM team_key_generations k
           WHERE k.scope_id = CASE u.role WHEN 'EMBASSY_CONTACT' THEN u.embassy_id
                                          WHEN 'NGO' THEN u.organization_id
                                          WHEN 'COORDINATOR' THEN $4::uuid END
           ORDER BY k.generation DESC LIMIT 1) t ON true
     LEFT JOIN team_key_grants g ON g.scope_id = t.scope_id AND g.generation = t.generation AND g.recipient_id = u.id
    WHERE u.id = $1 AND s.id = $2 AND u.token_version = $3
      AND u.status = 'ACTIVE' AND u.totp_enabled_at IS NOT NULL AND s.revoked_at IS NULL`;

@Injectable()
export class AuthRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The guard's per-request check: one statement, by primary keys. It also reads the
   * user's scope's current team generation (the newest row of team_key_generations, a
   * backward scan of its primary key) and whether the user holds a grant of it (the
   * unique grant index), so that "membership comes from members" costs no extra round
   * trip. The scope id is chosen by role exactly as scopeOf() does.
   */
  async findActivePrincipal(userId: string, sessionId: string, tokenVersion: number): Promise<Principal | undefined> {
    // A named statement: PostgreSQL plans it once per connection. Planning this join on
    // every request cost more than running it (bench: 2,982 against 8,650 req/s for the
    // query alone), and every authenticated request pays it.
    const pool = (this.dataSource.driver as PostgresDriver).master as Pool;
    const { rows } = await pool.query<{
      role: Role;
      embassy_id: string | null;
      organization_id: string | null;
      current_generation: number | null;
      holds_current: boolean;
    }>({ name: 'egide-principal', text: PRINCIPAL_SQL, values: [userId, sessionId, tokenVersion, COORDINATORS_NETWORK_ID] });
    const [row] = rows;
    if (row === undefined) return undefined;
    const scope = scopeOf(row.role, row.embassy_id, row.organization_id);
    const teamGrant =
      scope.id === null ? null : { scopeId: scope.id, currentGeneration: row.current_generation, holdsCurrent: row.holds_current };
    return { userId, role: row.role, scope, teamGrant };
  }

  /** What whoami shows: a narrow read, no entity hydration on the hot authenticated path. */
  async findUserSummary(
    id: string,
  ): Promise<Pick<User, 'id' | 'email' | 'displayName' | 'role' | 'embassyId' | 'organizationId' | 'fingerprint'> | undefined> {
    const rows = (await this.dataSource.query(
      `SELECT id, email, display_name, role, embassy_id, organization_id, fingerprint FROM users WHERE id = $1`,
      [id],
    )) as {
      id: string;
      email: string;
      display_name: string | null;
      role: Role;
      embassy_id: string | null;
      organization_id: string | null;
      fingerprint: string;
    }[];
    const [row] = rows;
    return row === undefined
      ? undefined
      : {
          id: row.id,
          email: row.email,
          displayName: row.display_name,
          role: row.role,
          embassyId: row.embassy_id,
          organizationId: row.organization_id,
          fingerprint: row.fingerprint,
        };
  }

  findUserByEmail(email: string, manager: EntityManager = this.dataSource.manager): Promise<User | null> {
    return manager.findOne(User, { where: { email } });
  }

  findUserById(id: string, manager: EntityManager = this.dataSource.manager): Promise<User | null> {
    return manager.findOne(User, { where: { id } });
  }

  async insertUser(manager: EntityManager, user: NewUser): Promise<void> {
    await manager.insert(User, { ...user, kdfMemlimit: String(user.kdfMemlimit) });
  }

  /**
   * Re-enrolment: the account keeps its id, e-mail, role and scope, and gets new keys,
   * new credentials and a new TOTP secret (to be activated again). Nothing of the old
   * seed survives, so the old team grants are useless: the caller deletes them.
   */
  async replaceUserKeys(manager: EntityManager, user: Omit<NewUser, 'email' | 'displayName' | 'role' | 'embassyId' | 'organizationId'>): Promise<void> {
    await manager.query(
      `UPDATE users SET kdf_salt = $2, kdf_opslimit = $3, kdf_memlimit = $4, auth_key_hash = $5, recovery_auth_key_hash = $6,
              box_public_key = $7, sign_public_key = $8, fingerprint = $9, password_bundle = $10, recovery_bundle = $11,
              totp_secret_sealed = $12, totp_enabled_at = NULL, totp_last_step = 0, failed_attempts = 0, locked_until = NULL, lockouts = 0,
              recovery_failed_attempts = 0, recovery_locked_until = NULL, recovery_lockouts = 0, updated_at = now()
        WHERE id = $1`,
      [
        user.id,
        user.kdfSalt,
        user.kdfOpslimit,
        user.kdfMemlimit,
        user.authKeyHash,
        user.recoveryAuthKeyHash,
        user.boxPublicKey,
        user.signPublicKey,
        user.fingerprint,
        JSON.stringify(user.passwordBundle),
        JSON.stringify(user.recoveryBundle),
        user.totpSecretSealed,
      ],
    );
  }

  /**
   * Takes one guess behind a proven factor (docs/identity.md, "Brute force"): a TOTP code
   * after the right key, or a current password within a session. Counted before the guess
   * is judged, in the row PostgreSQL locks until the caller's transaction ends, so that
   * concurrent guesses queue and never exceed the threshold. Undefined while the
   * credential is locked: the guess is not judged at all, and the lock is not extended.
   */
  async takeGuess(manager: EntityManager, userId: string, credential: Credential, now: Date): Promise<{ guesses: number; lockouts: number } | undefined> {
    const c = LOCK_COLUMNS[credential];
    const rows = (await manager.query(
      `UPDATE users SET ${c.guesses} = ${c.guesses} + 1
        WHERE id = $1 AND (${c.lockedUntil} IS NULL OR ${c.lockedUntil} <= $2)
        RETURNING ${c.guesses} AS guesses, ${c.lockouts} AS lockouts`,
      [userId, now],
    )) as [{ guesses: number; lockouts: number }[], number];
    return rows[0][0];
  }

  /** Gives back a guess that turned out not to be one (the code was right but just spent). */
  async returnGuess(manager: EntityManager, userId: string, credential: Credential): Promise<void> {
    const c = LOCK_COLUMNS[credential];
    await manager.query(`UPDATE users SET ${c.guesses} = greatest(${c.guesses} - 1, 0) WHERE id = $1`, [userId]);
  }

  /** Locks the credential until `until`; the guesses start again from zero, the lock count goes up. */
  async lockCredential(manager: EntityManager, userId: string, credential: Credential, until: Date): Promise<void> {
    const c = LOCK_COLUMNS[credential];
    await manager.query(`UPDATE users SET ${c.guesses} = 0, ${c.lockouts} = ${c.lockouts} + 1, ${c.lockedUntil} = $2 WHERE id = $1`, [userId, until]);
  }

  /**
   * Spends the TOTP step and clears the credential's guesses and locks, unless a concurrent
   * request already spent that step (then nothing changes and false comes back).
   */
  async spendTotpStep(manager: EntityManager, userId: string, totpStep: number, credential: Credential): Promise<boolean> {
    const c = LOCK_COLUMNS[credential];
    const [, affected] = (await manager.query(
      `UPDATE users SET ${c.guesses} = 0, ${c.lockouts} = 0, ${c.lockedUntil} = NULL, totp_last_step = $2
        WHERE id = $1 AND totp_last_step < $2`,
      [userId, totpStep],
    )) as [unknown, number];
    return affected === 1;
  }

  async enableTotp(manager: EntityManager, userId: string, totpStep: number, now: Date): Promise<boolean> {
    const [, affected] = (await manager.query(
      `UPDATE users SET totp_enabled_at = $3, totp_last_step = $2, failed_attempts = 0, lockouts = 0, locked_until = NULL
        WHERE id = $1 AND totp_enabled_at IS NULL AND totp_last_step < $2`,
      [userId, totpStep, now],
    )) as [unknown, number];
    return affected === 1;
  }

  /**
   * Takes one attempt of a client address's hourly budget, before any hash is verified.
   * False when the budget is spent: the attempt must be refused unjudged. A success gives
   * its attempt back (returnAddressAttempt), so the budget counts failures. The first row of
   * a new hour deletes the rows of past hours.
   */
  async takeAddressAttempt(addressTag: Buffer, windowStart: Date, limit: number): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `INSERT INTO sign_in_address_failures AS f (address_tag, window_start, failures) VALUES ($1, $2, 1)
       ON CONFLICT (address_tag, window_start) DO UPDATE SET failures = f.failures + 1 WHERE f.failures < $3
       RETURNING f.failures = 1 AS opened`,
      [addressTag, windowStart, limit],
    )) as { opened: boolean }[];
    const [row] = rows;
    if (row?.opened === true) await this.dataSource.query(`DELETE FROM sign_in_address_failures WHERE window_start < $1`, [windowStart]);
    return row !== undefined;
  }

  async returnAddressAttempt(manager: EntityManager, addressTag: Buffer, windowStart: Date): Promise<void> {
    await manager.query(
      `UPDATE sign_in_address_failures SET failures = greatest(failures - 1, 0) WHERE address_tag = $1 AND window_start = $2`,
      [addressTag, windowStart],
    );
  }

  async createSession(manager: EntityManager, userId: string): Promise<string> {
    const rows = (await manager.query(`INSERT INTO login_sessions (user_id) VALUES ($1) RETURNING id`, [userId])) as { id: string }[];
    return rows[0].id;
  }

  async insertRefreshToken(manager: EntityManager, sessionId: string, tokenHash: Buffer, issuedAt: Date, expiresAt: Date): Promise<void> {
    await manager.query(
      `INSERT INTO refresh_tokens (session_id, token_hash, issued_at, expires_at) VALUES ($1, $2, $3, $4)`,
      [sessionId, tokenHash, issuedAt, expiresAt],
    );
  }

  /** The token row, locked, with what decides whether it may be exchanged. */
  async lockRefreshToken(
    manager: EntityManager,
    tokenHash: Buffer,
  ): Promise<
    | {
        id: string;
        session_id: string;
        used_at: Date | null;
        expires_at: Date;
        session_revoked_at: Date | null;
        user_id: string;
        status: string;
        token_version: number;
        role: Role;
      }
    | undefined
  > {
    const rows = (await manager.query(
      `SELECT rt.id, rt.session_id, rt.used_at, rt.expires_at, s.revoked_at AS session_revoked_at,
              u.id AS user_id, u.status, u.token_version, u.role
         FROM refresh_tokens rt
         JOIN login_sessions s ON s.id = rt.session_id
         JOIN users u ON u.id = s.user_id
        WHERE rt.token_hash = $1
        FOR UPDATE OF rt, s`,
      [tokenHash],
    )) as {
      id: string;
      session_id: string;
      used_at: Date | null;
      expires_at: Date;
      session_revoked_at: Date | null;
      user_id: string;
      status: string;
      token_version: number;
      role: Role;
    }[];
    return rows[0];
  }

  async markRefreshTokenUsed(manager: EntityManager, id: string, now: Date): Promise<void> {
    await manager.query(`UPDATE refresh_tokens SET used_at = $2 WHERE id = $1`, [id, now]);
  }

  async revokeSession(manager: EntityManager, sessionId: string, reason: string, now: Date): Promise<void> {
    await manager.query(`UPDATE login_sessions SET revoked_at = $3, revoked_reason = $2 WHERE id = $1 AND revoked_at IS NULL`, [
      sessionId,
      reason,
      now,
    ]);
  }

  /** Ends every session of the user (optionally but one) and invalidates every access token. */
  async revokeAllSessions(manager: EntityManager, userId: string, reason: string, now: Date, except?: string): Promise<number> {
    await manager.query(
      `UPDATE login_sessions SET revoked_at = $3, revoked_reason = $2
        WHERE user_id = $1 AND revoked_at IS NULL AND ($4::uuid IS NULL OR id <> $4::uuid)`,
      [userId, reason, now, except ?? null],
    );
    const rows = (await manager.query(`UPDATE users SET token_version = token_version + 1 WHERE id = $1 RETURNING token_version`, [
      userId,
    ])) as [{ token_version: number }[], number];
    return rows[0][0].token_version;
  }

  async replacePasswordCredentials(
    manager: EntityManager,
    userId: string,
    credentials: PasswordCredentials,
  ): Promise<void> {
    await manager.query(
      `UPDATE users SET kdf_salt = $2, kdf_opslimit = $3, kdf_memlimit = $4, auth_key_hash = $5, password_bundle = $6,
              failed_attempts = 0, locked_until = NULL, lockouts = 0, updated_at = now()
        WHERE id = $1`,
      [userId, credentials.kdfSalt, credentials.kdfOpslimit, credentials.kdfMemlimit, credentials.authKeyHash, JSON.stringify(credentials.passwordBundle)],
    );
  }
}
