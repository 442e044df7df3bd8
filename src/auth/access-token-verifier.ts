/**
 * Turns the bearer access token of a request into an Actor, from the user's current
 * principal: a disabled user, a changed role or scope (token version bumped), a revoked
 * session or a spent token version is refused here. The principal comes from the
 * principal cache while its listener hears PostgreSQL's notifications of such changes,
 * otherwise from the principal query (docs/identity.md, "Sessions and revocation").
 *
 * Owns the token's checks (signature with the pinned algorithm, issuer, audience, expiry
 * against the server's Clock, claim shapes); never says why a token was refused. A
 * plain injectable rather than a passport strategy: passport keeps strategies in one
 * process-wide registry, so two instances in one process (the tests, the benchmark)
 * would verify every request with whichever instance registered last.
 */
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../common/authz/actor';
import { Clock } from '../common/clock';
import { Database } from '../common/database/database';
import { scopeOf } from '../contract/roles';
import { ServerKeys } from '../common/config/server-keys';
import { isUuid } from '../crypto/binary-encoding';
import { ACCESS_TOKEN_ALGORITHM, ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER, type AccessTokenClaims } from './access-token';
import { AuthRepository } from './auth.repository';
import { PrincipalCache, type Principal } from './principal-cache';

/** `Authorization: Bearer <token>`, the scheme in any case (RFC 6750 §2.1, RFC 7235 §2.1). */
const BEARER = /^\s*bearer\s+(\S+)\s*$/i;

@Injectable()
export class AccessTokenVerifier {
  // A KeyObject, not a Buffer (see ServerKeys.deriveKeyObject). @nestjs/jwt's typings
  // lag jsonwebtoken 9, which takes a KeyObject at run time.
  private readonly key: Buffer;

  constructor(
    serverKeys: ServerKeys,
    @Inject(Clock) private readonly clock: Clock,
    private readonly jwt: JwtService,
    private readonly auth: AuthRepository,
    private readonly principals: PrincipalCache,
    private readonly database: Database,
  ) {
    this.key = serverKeys.deriveKeyObject('access-token-signing') as unknown as Buffer;
  }

  /** The caller, or undefined for any token that does not authenticate (missing, bad, revoked). */
  async actorFor(request: FastifyRequest): Promise<Actor | undefined> {
    const claims = this.verifiedClaims(request.headers.authorization);
    if (claims === undefined) return undefined;
    const cached = this.principals.get(claims.sub, claims.sid, claims.ver);
    if (cached !== undefined) return { ...cached, sessionId: claims.sid, requestId: request.id };
    // Read before the query: a drop while it runs means it may have read the old row.
    const epoch = this.principals.epoch;
    // A database failure here is thrown: it is ours (500), not the caller's.
    const row = await this.auth.findActivePrincipal(this.database.manager, { userId: claims.sub, sessionId: claims.sid, tokenVersion: claims.ver });
    if (row === undefined) return undefined;
    const scope = scopeOf(row.role, row.embassy_id, row.organisation_id);
    const principal: Principal = {
      userId: claims.sub,
      role: row.role,
      scope,
      teamGrant: scope.id === null ? null : { scopeId: scope.id, currentGeneration: row.current_generation, holdsCurrent: row.holds_current },
    };
    this.principals.set(epoch, claims.sid, claims.ver, principal);
    return { ...principal, sessionId: claims.sid, requestId: request.id };
  }

  private verifiedClaims(header: string | undefined): AccessTokenClaims | undefined {
    const token = header === undefined ? undefined : BEARER.exec(header)?.[1];
    if (token === undefined) return undefined;
    let claims: Partial<Record<keyof AccessTokenClaims | 'exp', unknown>>;
    try {
      claims = this.jwt.verify<Partial<Record<keyof AccessTokenClaims | 'exp', unknown>>>(token, {
        secret: this.key,
        algorithms: [ACCESS_TOKEN_ALGORITHM],
        issuer: ACCESS_TOKEN_ISSUER,
        audience: ACCESS_TOKEN_AUDIENCE,
        // Expiry is checked below against the server's Clock (which the tests move).
        ignoreExpiration: true,
      });
    } catch {
      return undefined;
    }
    // Claims are checked for shape before any query: a non-UUID id would otherwise reach
    // PostgreSQL's uuid cast as a 500 (the signature makes it unlikely, not impossible).
    const { typ, sub, sid, ver, exp } = claims;
    if (typ !== 'access' || typeof sub !== 'string' || typeof sid !== 'string' || !isUuid(sub) || !isUuid(sid)) return undefined;
    if (typeof ver !== 'number' || !Number.isSafeInteger(ver)) return undefined;
    if (typeof exp !== 'number' || exp <= this.clock.nowSeconds()) return undefined;
    return { typ, sub, sid, ver };
  }
}
