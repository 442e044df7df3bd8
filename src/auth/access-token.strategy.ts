/**
 * Verifies access tokens (passport-jwt) and turns them into an Actor from the user's
 * current row: a disabled user, a changed role or scope (token version bumped), a
 * revoked session or a spent token version fails here. The row comes from the principal
 * cache while its listener hears PostgreSQL's notifications of such changes, otherwise
 * from the principal query (docs/identity.md, "Sessions and revocation").
 */
import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { Actor } from '../common/authz/actor';
import { scopeOf } from '../contract/roles';
import { Clock } from '../common/clock';
import { ServerKeys } from '../common/config/server-keys';
import { Database } from '../common/database/database';
import { isUuid } from '../crypto/binary-encoding';
import { ACCESS_TOKEN_ALGORITHM, ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER, type AccessTokenClaims } from './access-token';
import { AuthRepository } from './auth.repository';
import { PrincipalCache, type Principal } from './principal-cache';

export const ACCESS_TOKEN_STRATEGY = 'egide-access-token';

@Injectable()
export class AccessTokenStrategy extends PassportStrategy(Strategy, ACCESS_TOKEN_STRATEGY) {
  constructor(
    serverKeys: ServerKeys,
    @Inject(Clock) private readonly clock: Clock,
    private readonly auth: AuthRepository,
    private readonly principals: PrincipalCache,
    private readonly database: Database,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject, not a Buffer (see ServerKeys.deriveKeyObject). passport-jwt's typings
      // lag jsonwebtoken 9, which takes a KeyObject at run time.
      secretOrKey: serverKeys.deriveKeyObject('access-token-signing') as unknown as Buffer,
      algorithms: [ACCESS_TOKEN_ALGORITHM],
      issuer: ACCESS_TOKEN_ISSUER,
      audience: ACCESS_TOKEN_AUDIENCE,
      passReqToCallback: true,
      // Expiry is checked in validate() against the server's Clock (which the tests
      // move); passport-jwt would freeze jsonwebtoken's clock option at construction.
      ignoreExpiration: true,
    });
  }

  async validate(request: FastifyRequest, claims: AccessTokenClaims & { exp?: unknown }): Promise<Actor | false> {
    // Claims are checked for shape before any query: a non-UUID id would otherwise reach
    // PostgreSQL's uuid cast as a 500 (the signature makes it unlikely, not impossible).
    if (
      claims.typ !== 'access' ||
      typeof claims.sub !== 'string' ||
      typeof claims.sid !== 'string' ||
      !isUuid(claims.sub) ||
      !isUuid(claims.sid) ||
      typeof claims.ver !== 'number' ||
      !Number.isSafeInteger(claims.ver)
    ) {
      return false;
    }
    if (typeof claims.exp !== 'number' || claims.exp <= this.clock.nowSeconds()) return false;
    const cached = this.principals.get(claims.sub, claims.sid, claims.ver);
    if (cached !== undefined) return { ...cached, sessionId: claims.sid, requestId: request.id };
    // Read before the query: a drop while it runs means it may have read the old row.
    const epoch = this.principals.epoch;
    const row = await this.auth.findActivePrincipal(this.database.manager, { userId: claims.sub, sessionId: claims.sid, tokenVersion: claims.ver });
    if (row === undefined) return false;
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
}
