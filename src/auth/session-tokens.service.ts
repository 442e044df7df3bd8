/**
 * Issues what a signed-in client holds: a short-lived access token (JWT) and a rotating
 * refresh token (32 random bytes, stored as SHA-256), and the recovery ticket of the
 * password-recovery flow. Verification of access tokens is the guard's verifier's job
 * (access-token-verifier.ts); this service only signs, and stores through SessionsRepository.
 * Part of SessionsModule, exported for auth's sign-in and recovery flows.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { ServerKeys } from '../common/config/server-keys';
import {
  ACCESS_TOKEN_ALGORITHM,
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_ISSUER,
  ACCESS_TOKEN_TTL_SECONDS,
  RECOVERY_TICKET_TTL_SECONDS,
  REFRESH_TOKEN_TTL_DAYS,
  type AccessTokenClaims,
} from './access-token';
import type { OwnUserId } from '../common/authz/scope';
import type { AccessTokenResponse } from './dto/access-token.response';
import type { SessionTokensResponse } from './dto/session-tokens.response';
import { SessionsRepository } from './sessions.repository';

const RECOVERY_AUDIENCE = 'egide-recovery';

export function hashRefreshToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

interface RecoveryTicketClaims {
  sub: string;
  ver: number;
  typ: 'recovery';
}

@Injectable()
export class SessionTokensService {
  private readonly signingKey: Buffer;

  constructor(
    private readonly jwt: JwtService,
    private readonly sessions: SessionsRepository,
    @Inject(Clock) private readonly clock: Clock,
    serverKeys: ServerKeys,
  ) {
    this.signingKey = serverKeys.derive('access-token-signing');
  }

  accessToken(userId: string, sessionId: string, tokenVersion: number): AccessTokenResponse {
    const claims: AccessTokenClaims & { iat: number } = {
      sub: userId,
      sid: sessionId,
      ver: tokenVersion,
      typ: 'access',
      iat: this.clock.nowSeconds(),
    };
    const accessToken = this.jwt.sign(claims, {
      secret: this.signingKey,
      algorithm: ACCESS_TOKEN_ALGORITHM,
      issuer: ACCESS_TOKEN_ISSUER,
      audience: ACCESS_TOKEN_AUDIENCE,
      expiresIn: ACCESS_TOKEN_TTL_SECONDS,
    });
    return { accessToken, tokenType: 'Bearer', expiresIn: ACCESS_TOKEN_TTL_SECONDS };
  }

  /** A new refresh token in the session (family) `sessionId`. */
  async refreshToken(manager: EntityManager, sessionId: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + REFRESH_TOKEN_TTL_DAYS * 86_400_000);
    await this.sessions.insertRefreshToken(manager, sessionId, hashRefreshToken(token), now, expiresAt);
    return token;
  }

  /** A new session of the holder's: its first refresh token and an access token for it. */
  async openSession(manager: EntityManager, holder: OwnUserId, tokenVersion: number): Promise<SessionTokensResponse & { sessionId: string }> {
    const sessionId = await this.sessions.createSession(manager, holder);
    const refreshToken = await this.refreshToken(manager, sessionId);
    return { ...this.accessToken(holder, sessionId, tokenVersion), refreshToken, sessionId };
  }

  recoveryTicket(userId: string, tokenVersion: number): string {
    const claims: RecoveryTicketClaims & { iat: number } = { sub: userId, ver: tokenVersion, typ: 'recovery', iat: this.clock.nowSeconds() };
    return this.jwt.sign(claims, {
      secret: this.signingKey,
      algorithm: ACCESS_TOKEN_ALGORITHM,
      issuer: ACCESS_TOKEN_ISSUER,
      audience: RECOVERY_AUDIENCE,
      expiresIn: RECOVERY_TICKET_TTL_SECONDS,
    });
  }

  /** The ticket's claims, or undefined when it is not a valid, current recovery ticket. */
  readRecoveryTicket(ticket: string): RecoveryTicketClaims | undefined {
    try {
      const claims = this.jwt.verify<RecoveryTicketClaims>(ticket, {
        secret: this.signingKey,
        algorithms: [ACCESS_TOKEN_ALGORITHM],
        issuer: ACCESS_TOKEN_ISSUER,
        audience: RECOVERY_AUDIENCE,
        clockTimestamp: this.clock.nowSeconds(),
      });
      return claims.typ === 'recovery' ? claims : undefined;
    } catch {
      return undefined;
    }
  }
}
