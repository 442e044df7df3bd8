/**
 * The one way an auth row becomes a response: pure functions from the repositories'
 * snake_case rows (and what a flow adds: tokens, a TOTP secret, a ticket) to the response
 * DTOs. A credential column reaches a response only where the protocol hands it to its
 * owner: the KDF parameters and the wrapped seed, which the client needs to derive its
 * keys; never a hash, never the TOTP secret after enrolment.
 */
import { scopeOf } from '../contract/roles';
import { KDF_ALGORITHM_ARGON2ID13 } from '../crypto/protocol-constants';
import type { UserSummaryRow, CredentialRow } from './auth.repository';
import type { BeginRecoveryResponse } from './dto/begin-recovery.response';
import type { EnrolmentResponse } from './dto/enrolment.response';
import type { KdfParametersDto } from './dto/kdf-parameters.dto';
import type { LoginResponse } from './dto/login.response';
import type { SessionTokensResponse } from './dto/session-tokens.response';
import type { UserSummaryResponse } from './dto/user-summary.response';
import { RECOVERY_TICKET_TTL_SECONDS } from './access-token';
import { base32, otpauthUri } from './totp';

export function toUserSummaryResponse(row: UserSummaryRow): UserSummaryResponse {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    role: row.role,
    scope: scopeOf(row.role, row.embassy_id, row.organisation_id),
    fingerprint: row.fingerprint,
  };
}

export function toKdfParameters(row: CredentialRow): KdfParametersDto {
  return { algorithm: KDF_ALGORITHM_ARGON2ID13, salt: row.kdf_salt, opslimit: row.kdf_opslimit, memlimit: Number(row.kdf_memlimit) };
}

/** The new (or re-keyed) account and its TOTP secret, shown this once. */
export function toEnrolmentResponse(row: UserSummaryRow, totpSecret: Buffer): EnrolmentResponse {
  return {
    user: toUserSummaryResponse(row),
    totp: { secret: base32(totpSecret), otpauthUri: otpauthUri(totpSecret, row.email) },
  };
}

export function toLoginResponse(row: CredentialRow, tokens: SessionTokensResponse): LoginResponse {
  return {
    accessToken: tokens.accessToken,
    tokenType: tokens.tokenType,
    expiresIn: tokens.expiresIn,
    refreshToken: tokens.refreshToken,
    user: toUserSummaryResponse(row),
    keyBundle: {
      kdf: toKdfParameters(row),
      passwordBundle: row.password_bundle,
      publicKeys: { boxPublicKey: row.box_public_key, signPublicKey: row.sign_public_key },
      fingerprint: row.fingerprint,
    },
  };
}

export function toBeginRecoveryResponse(row: CredentialRow, recoveryTicket: string): BeginRecoveryResponse {
  return {
    recoveryTicket,
    recoveryBundle: row.recovery_bundle,
    kdf: toKdfParameters(row),
    expiresIn: RECOVERY_TICKET_TTL_SECONDS,
  };
}
