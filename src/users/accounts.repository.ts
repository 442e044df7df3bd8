/**
 * The account rows enrolment writes, as raw SQL: a new account made whole from an
 * enrolment grant and the credentials auth prepared, and a re-enrolment's new public keys.
 * Every method takes the `EnrolmentGrant` (a spent invitation or the spent setup token):
 * the e-mail, role, scope, display name and the account to re-key come from it, never from
 * the request.
 *
 * The credential columns (KDF parameters, authKey hashes, wrapped seeds, TOTP, locks, token
 * version) are auth's: this file inserts the values auth prepared, opaque to it, and never
 * updates them.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Role } from '../contract/roles';
import type { EncryptedKeyBundle } from '../crypto/key-bundles';
import type { EnrolmentGrant } from './enrolment-grant';

/** An account as enrolment and sign-in show it (no credential column). */
export interface AccountRow {
  id: string;
  email: string;
  display_name: string | null;
  role: Role;
  embassy_id: string | null;
  organisation_id: string | null;
  fingerprint: string;
}

/** The account's public keys, as the client made them. */
export interface AccountKeys {
  boxPublicKey: string;
  signPublicKey: string;
  fingerprint: string;
}

/** auth's columns of a new account, prepared (hashed, sealed) by auth. */
export interface AccountCredentials {
  kdfSalt: string;
  kdfOpslimit: number;
  kdfMemlimit: number;
  authKeyHash: string;
  recoveryAuthKeyHash: string;
  passwordBundle: EncryptedKeyBundle;
  recoveryBundle: EncryptedKeyBundle;
  totpSecretSealed: Buffer;
}

const ACCOUNT_COLUMNS = 'id, email, display_name, role, embassy_id, organisation_id, fingerprint';

const EMAIL_TAKEN = `SELECT 1 FROM users WHERE email = $1`;

const INSERT_ACCOUNT = `INSERT INTO users (id, email, display_name, role, embassy_id, organisation_id, box_public_key, sign_public_key, fingerprint,
                   kdf_salt, kdf_opslimit, kdf_memlimit, auth_key_hash, recovery_auth_key_hash, password_bundle, recovery_bundle, totp_secret_sealed)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
  RETURNING ${ACCOUNT_COLUMNS}`;

const REPLACE_KEYS = `UPDATE users SET box_public_key = $2, sign_public_key = $3, fingerprint = $4, updated_at = $5
  WHERE id = $1 RETURNING ${ACCOUNT_COLUMNS}`;

@Injectable()
export class AccountsRepository {
  async emailTaken(manager: EntityManager, grant: EnrolmentGrant): Promise<boolean> {
    const rows = (await manager.query(EMAIL_TAKEN, [grant.email])) as unknown[];
    return rows.length === 1;
  }

  /** The id is the caller's: auth binds the sealed TOTP secret to it before the row exists. */
  async insert(manager: EntityManager, grant: EnrolmentGrant, id: string, keys: AccountKeys, credentials: AccountCredentials): Promise<AccountRow> {
    const rows = (await manager.query(INSERT_ACCOUNT, [
      id,
      grant.email,
      grant.displayName,
      grant.role,
      grant.embassyId,
      grant.organisationId,
      keys.boxPublicKey,
      keys.signPublicKey,
      keys.fingerprint,
      credentials.kdfSalt,
      credentials.kdfOpslimit,
      credentials.kdfMemlimit,
      credentials.authKeyHash,
      credentials.recoveryAuthKeyHash,
      JSON.stringify(credentials.passwordBundle),
      JSON.stringify(credentials.recoveryBundle),
      credentials.totpSecretSealed,
    ])) as AccountRow[];
    return rows[0];
  }

  /** Undefined when the account the grant re-keys is gone. */
  async replaceKeys(manager: EntityManager, grant: EnrolmentGrant & { replacesUserId: string }, keys: AccountKeys, now: Date): Promise<AccountRow | undefined> {
    const [rows] = (await manager.query(REPLACE_KEYS, [grant.replacesUserId, keys.boxPublicKey, keys.signPublicKey, keys.fingerprint, now])) as [
      AccountRow[],
      number,
    ];
    return rows[0];
  }
}
