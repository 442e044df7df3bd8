/**
 * Every query of authentication but the sessions': the principal of every request, the
 * credential columns of users (auth's: KDF parameters, authKey hashes, wrapped seeds, TOTP,
 * the two credential locks), and each client address's hourly budget of failed sign-ins.
 * Raw SQL returning snake_case rows; times are parameters (the server's Clock), never
 * SQL's now(), so that tests can move time. Writes that must agree under concurrency (a
 * TOTP step used once, the lockout counters, an address's budget) are single conditional
 * statements, decided by PostgreSQL.
 *
 * What bounds each query: the caller's own account (`OwnUserId`), or — on the sign-in
 * routes, which have no session — the credential presented: the e-mail finds the
 * `CredentialRow` that every later write of that request names, the token's claims find
 * the principal, the address's tag its budget. This file never writes a column of users
 * outside the credential ones, nor another feature's table.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Pool } from 'pg';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { COORDINATORS_NETWORK_ID, type Role } from '../contract/roles';
import type { OwnUserId } from '../common/authz/scope';
import type { EncryptedKeyBundle } from '../crypto/key-bundles';
import type { EnrolmentGrant } from '../users/enrolment-grant';
import type { UserStatus } from '../contract/roles';

/** The two credentials that can be locked, each on its own (docs/identity.md, "Brute force"). */
export type Credential = 'password' | 'recovery';

/** Who an account is, as the summaries show it (no credential column). */
export interface UserSummaryRow {
  id: string;
  email: string;
  display_name: string | null;
  role: Role;
  embassy_id: string | null;
  organisation_id: string | null;
  fingerprint: string;
}

/** An account with its credential columns, as sign-in, password change and recovery judge it. */
export interface CredentialRow extends UserSummaryRow {
  status: UserStatus;
  box_public_key: string;
  sign_public_key: string;
  kdf_salt: string;
  kdf_opslimit: number;
  /** bigint: pg returns it as text. */
  kdf_memlimit: string;
  auth_key_hash: string;
  recovery_auth_key_hash: string;
  password_bundle: EncryptedKeyBundle;
  recovery_bundle: EncryptedKeyBundle;
  totp_secret_sealed: Buffer;
  totp_enabled_at: Date | null;
  /** bigint: pg returns it as text. */
  totp_last_step: string;
  token_version: number;
}

/** The guard's per-request row: role, scope ids and the scope's current team generation. */
export interface PrincipalRow {
  role: Role;
  embassy_id: string | null;
  organisation_id: string | null;
  current_generation: number | null;
  holds_current: boolean;
}

/** What a password change or a recovery stores: new KDF parameters, authKey hash and wrapped seed. */
export interface PasswordCredentials {
  kdfSalt: string;
  kdfOpslimit: number;
  kdfMemlimit: number;
  authKeyHash: string;
  passwordBundle: EncryptedKeyBundle;
}

/** What a re-enrolment stores: every credential anew, with a TOTP secret to activate again. */
export interface EnrolmentCredentials extends PasswordCredentials {
  recoveryAuthKeyHash: string;
  recoveryBundle: EncryptedKeyBundle;
  totpSecretSealed: Buffer;
}

// Fixed identifiers, never input: the columns of each credential's lock.
const LOCK_COLUMNS: Record<Credential, { guesses: string; lockedUntil: string; lockouts: string }> = {
  password: { guesses: 'failed_attempts', lockedUntil: 'locked_until', lockouts: 'lockouts' },
  recovery: { guesses: 'recovery_failed_attempts', lockedUntil: 'recovery_locked_until', lockouts: 'recovery_lockouts' },
};

/**
 * The guard's check, as one statement by primary keys ($1 user, $2 session, $3 token
 * version, $4 the network's id), run when the principal cache cannot answer. Exported so
 * that bench/run.ts measures the very SQL the guard runs. Every column it reads is
 * watched by the notifying triggers (migration 1795909100000): a condition on a new
 * column needs a trigger change too, or the caches of other instances will not hear of it.
 */
export const PRINCIPAL_SQL = `SELECT u.role, u.embassy_id, u.organisation_id, t.generation AS current_generation, g.id IS NOT NULL AS holds_current
     FROM users u JOIN login_sessions s ON s.user_id = u.id
     LEFT JOIN LATERAL (
          SELECT k.scope_id, k.generation FROM team_key_generations k
           WHERE k.scope_id = CASE u.role WHEN 'EMBASSY_CONTACT' THEN u.embassy_id
                                          WHEN 'NGO' THEN u.organisation_id
                                          WHEN 'COORDINATOR' THEN $4::uuid END
           ORDER BY k.generation DESC LIMIT 1) t ON true
     LEFT JOIN team_key_grants g ON g.scope_id = t.scope_id AND g.generation = t.generation AND g.recipient_id = u.id
    WHERE u.id = $1 AND s.id = $2 AND u.token_version = $3
      AND u.status = 'ACTIVE' AND u.totp_enabled_at IS NOT NULL AND s.revoked_at IS NULL`;

const SUMMARY_COLUMNS = 'id, email, display_name, role, embassy_id, organisation_id, fingerprint';
const CREDENTIAL_COLUMNS = `${SUMMARY_COLUMNS}, status, box_public_key, sign_public_key, kdf_salt, kdf_opslimit, kdf_memlimit, auth_key_hash,
  recovery_auth_key_hash, password_bundle, recovery_bundle, totp_secret_sealed, totp_enabled_at, totp_last_step, token_version`;

const SELECT_SUMMARY = `SELECT ${SUMMARY_COLUMNS} FROM users WHERE id = $1`;
const SELECT_CREDENTIALS_BY_EMAIL = `SELECT ${CREDENTIAL_COLUMNS} FROM users WHERE email = $1`;
const SELECT_CREDENTIALS_BY_ID = `SELECT ${CREDENTIAL_COLUMNS} FROM users WHERE id = $1`;

const REPLACE_ENROLMENT_CREDENTIALS = `UPDATE users SET kdf_salt = $2, kdf_opslimit = $3, kdf_memlimit = $4, auth_key_hash = $5, password_bundle = $6,
        recovery_auth_key_hash = $7, recovery_bundle = $8, totp_secret_sealed = $9, totp_enabled_at = NULL, totp_last_step = 0,
        failed_attempts = 0, locked_until = NULL, lockouts = 0, recovery_failed_attempts = 0, recovery_locked_until = NULL, recovery_lockouts = 0,
        updated_at = $10
  WHERE id = $1`;

const REPLACE_PASSWORD_CREDENTIALS = `UPDATE users SET kdf_salt = $2, kdf_opslimit = $3, kdf_memlimit = $4, auth_key_hash = $5, password_bundle = $6,
        failed_attempts = 0, locked_until = NULL, lockouts = 0, updated_at = $7
  WHERE id = $1`;

const ENABLE_TOTP = `UPDATE users SET totp_enabled_at = $3, totp_last_step = $2, failed_attempts = 0, lockouts = 0, locked_until = NULL
  WHERE id = $1 AND totp_enabled_at IS NULL AND totp_last_step < $2`;

const TAKE_ADDRESS_ATTEMPT = `INSERT INTO sign_in_address_failures AS f (address_tag, window_start, failures) VALUES ($1, $2, 1)
  ON CONFLICT (address_tag, window_start) DO UPDATE SET failures = f.failures + 1 WHERE f.failures < $3
  RETURNING f.failures = 1 AS opened`;

const FORGET_PAST_WINDOWS = `DELETE FROM sign_in_address_failures WHERE window_start < $1`;

const RETURN_ADDRESS_ATTEMPT = `UPDATE sign_in_address_failures SET failures = greatest(failures - 1, 0) WHERE address_tag = $1 AND window_start = $2`;

function takeGuessSql(credential: Credential): string {
  const c = LOCK_COLUMNS[credential];
  return `UPDATE users SET ${c.guesses} = ${c.guesses} + 1
    WHERE id = $1 AND (${c.lockedUntil} IS NULL OR ${c.lockedUntil} <= $2)
    RETURNING ${c.guesses} AS guesses, ${c.lockouts} AS lockouts`;
}

function returnGuessSql(credential: Credential): string {
  const c = LOCK_COLUMNS[credential];
  return `UPDATE users SET ${c.guesses} = greatest(${c.guesses} - 1, 0) WHERE id = $1`;
}

function lockCredentialSql(credential: Credential): string {
  const c = LOCK_COLUMNS[credential];
  return `UPDATE users SET ${c.guesses} = 0, ${c.lockouts} = ${c.lockouts} + 1, ${c.lockedUntil} = $2 WHERE id = $1`;
}

function spendTotpStepSql(credential: Credential): string {
  const c = LOCK_COLUMNS[credential];
  return `UPDATE users SET ${c.guesses} = 0, ${c.lockouts} = 0, ${c.lockedUntil} = NULL, totp_last_step = $2
    WHERE id = $1 AND totp_last_step < $2`;
}

@Injectable()
export class AuthRepository {
  /**
   * The guard's per-request check: one statement, by primary keys. It also reads the
   * user's scope's current team generation (the newest row of team_key_generations, a
   * backward scan of its primary key) and whether the user holds a grant of it (the
   * unique grant index), so that "membership comes from members" costs no extra round
   * trip. The scope id is chosen by role exactly as scopeOf() does. Bounded by the
   * verified token's claims.
   */
  async findActivePrincipal(manager: EntityManager, claims: { userId: string; sessionId: string; tokenVersion: number }): Promise<PrincipalRow | undefined> {
    // A named statement: PostgreSQL plans it once per connection. Planning this join on
    // every request cost more than running it (bench: 2,982 against 8,650 req/s for the
    // query alone), and every authenticated request pays it.
    const pool = (manager.connection.driver as PostgresDriver).master as Pool;
    const { rows } = await pool.query<PrincipalRow>({
      name: 'egide-principal',
      text: PRINCIPAL_SQL,
      values: [claims.userId, claims.sessionId, claims.tokenVersion, COORDINATORS_NETWORK_ID],
    });
    return rows[0];
  }

  /** What whoami shows: a narrow read of the caller's own row. */
  async findSummary(manager: EntityManager, self: OwnUserId): Promise<UserSummaryRow | undefined> {
    const rows = (await manager.query(SELECT_SUMMARY, [self])) as UserSummaryRow[];
    return rows[0];
  }

  /** The account the presented e-mail (already normalised) names, with its credentials. */
  async findCredentialsByEmail(manager: EntityManager, email: string): Promise<CredentialRow | undefined> {
    const rows = (await manager.query(SELECT_CREDENTIALS_BY_EMAIL, [email])) as CredentialRow[];
    return rows[0];
  }

  /** The caller's own account with its credentials. */
  async findOwnCredentials(manager: EntityManager, self: OwnUserId): Promise<CredentialRow | undefined> {
    const rows = (await manager.query(SELECT_CREDENTIALS_BY_ID, [self])) as CredentialRow[];
    return rows[0];
  }

  /**
   * Re-enrolment: every credential anew and a new TOTP secret (to be activated again), for
   * the account the grant re-keys; the locks start over.
   */
  async replaceEnrolmentCredentials(manager: EntityManager, grant: EnrolmentGrant, credentials: EnrolmentCredentials, now: Date): Promise<void> {
    await manager.query(REPLACE_ENROLMENT_CREDENTIALS, [
      grant.replacesUserId,
      credentials.kdfSalt,
      credentials.kdfOpslimit,
      credentials.kdfMemlimit,
      credentials.authKeyHash,
      JSON.stringify(credentials.passwordBundle),
      credentials.recoveryAuthKeyHash,
      JSON.stringify(credentials.recoveryBundle),
      credentials.totpSecretSealed,
      now,
    ]);
  }

  /** A password change or a completed recovery: the new password's credentials; its lock ends. */
  async replacePasswordCredentials(manager: EntityManager, account: CredentialRow, credentials: PasswordCredentials, now: Date): Promise<void> {
    await manager.query(REPLACE_PASSWORD_CREDENTIALS, [
      account.id,
      credentials.kdfSalt,
      credentials.kdfOpslimit,
      credentials.kdfMemlimit,
      credentials.authKeyHash,
      JSON.stringify(credentials.passwordBundle),
      now,
    ]);
  }

  /**
   * Takes one guess behind a proven factor (docs/identity.md, "Brute force"): a TOTP code
   * after the right key, or a current password within a session. Counted before the guess
   * is judged, in the row PostgreSQL locks until the caller's transaction ends, so that
   * concurrent guesses queue and never exceed the threshold. Undefined while the
   * credential is locked: the guess is not judged at all, and the lock is not extended.
   */
  async takeGuess(manager: EntityManager, account: CredentialRow, credential: Credential, now: Date): Promise<{ guesses: number; lockouts: number } | undefined> {
    const [rows] = (await manager.query(takeGuessSql(credential), [account.id, now])) as [{ guesses: number; lockouts: number }[], number];
    return rows[0];
  }

  /** Gives back a guess that turned out not to be one (the code was right but just spent). */
  async returnGuess(manager: EntityManager, account: CredentialRow, credential: Credential): Promise<void> {
    await manager.query(returnGuessSql(credential), [account.id]);
  }

  /** Locks the credential until `until`; the guesses start again from zero, the lock count goes up. */
  async lockCredential(manager: EntityManager, account: CredentialRow, credential: Credential, until: Date): Promise<void> {
    await manager.query(lockCredentialSql(credential), [account.id, until]);
  }

  /**
   * Spends the TOTP step and clears the credential's guesses and locks, unless a concurrent
   * request already spent that step (then nothing changes and false comes back).
   */
  async spendTotpStep(manager: EntityManager, account: CredentialRow, totpStep: number, credential: Credential): Promise<boolean> {
    const [, affected] = (await manager.query(spendTotpStepSql(credential), [account.id, totpStep])) as [unknown, number];
    return affected === 1;
  }

  async enableTotp(manager: EntityManager, account: CredentialRow, totpStep: number, now: Date): Promise<boolean> {
    const [, affected] = (await manager.query(ENABLE_TOTP, [account.id, totpStep, now])) as [unknown, number];
    return affected === 1;
  }

  /**
   * Takes one attempt of a client address's hourly budget, before any hash is verified.
   * False when the budget is spent: the attempt must be refused unjudged. A success gives
   * its attempt back (returnAddressAttempt), so the budget counts failures. The first row of
   * a new hour deletes the rows of past hours.
   */
  async takeAddressAttempt(manager: EntityManager, addressTag: Buffer, windowStart: Date, limit: number): Promise<boolean> {
    const rows = (await manager.query(TAKE_ADDRESS_ATTEMPT, [addressTag, windowStart, limit])) as { opened: boolean }[];
    const [row] = rows;
    if (row?.opened === true) await manager.query(FORGET_PAST_WINDOWS, [windowStart]);
    return row !== undefined;
  }

  async returnAddressAttempt(manager: EntityManager, addressTag: Buffer, windowStart: Date): Promise<void> {
    await manager.query(RETURN_ADDRESS_ATTEMPT, [addressTag, windowStart]);
  }
}
