/**
 * Access tokens: short-lived JWTs (HS256 under a key derived from the server secret),
 * with issuer and audience checked and the algorithm pinned on verification. They
 * carry the user id, the session (refresh-token family) and the user's token version,
 * which the guard compares with the database (or with its principal cache, which the
 * database's notifications keep current): that check is what makes revocation immediate.
 */
export const ACCESS_TOKEN_ALGORITHM = 'HS256';
export const ACCESS_TOKEN_ISSUER = 'egide';
export const ACCESS_TOKEN_AUDIENCE = 'egide-api';
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

export interface AccessTokenClaims {
  /** User id. */
  sub: string;
  /** Login session id. */
  sid: string;
  /** The user's token version when the token was issued. */
  ver: number;
  typ: 'access';
}

/** How long a refresh token (and so a session without use) lives. */
export const REFRESH_TOKEN_TTL_DAYS = 14;
/** How long a recovery ticket is good for, between the recovery key and the new password. */
export const RECOVERY_TICKET_TTL_SECONDS = 10 * 60;
