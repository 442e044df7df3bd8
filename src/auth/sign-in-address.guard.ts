/**
 * Spends one attempt of the client address's hourly budget before a sign-in is judged
 * (login, TOTP activation, recovery): past the budget the request is answered 429 with
 * `Retry-After` (the end of the hour) before any body is validated or any hash verified.
 * The count lives in PostgreSQL, so it holds across instances and restarts. The address
 * is the one Fastify resolves (the socket's, or the client's behind TRUSTED_PROXIES).
 * The service gives the attempt back when the sign-in succeeds (`@SignInAttempt()`).
 */
import { createParamDecorator, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Clock } from '../common/clock';
import { APP_CONFIG } from '../common/config/app-config.module';
import type { AppConfig } from '../common/config/environment';
import { ServerKeys } from '../common/config/server-keys';
import { Database } from '../common/database/database';
import { ProblemException } from '../common/http/problem';
import { AuthRepository } from './auth.repository';
import { SIGN_IN_ADDRESS_WINDOW_MS } from '../common/http/rate-limits';
import { addressTag, addressWindowStart, type AddressAttempt } from './sign-in-address';

const ATTEMPT = Symbol('egide:sign-in-address-attempt');

type RequestWithAttempt = FastifyRequest & { [ATTEMPT]?: AddressAttempt };

@Injectable()
export class SignInAddressGuard implements CanActivate {
  private readonly tagKey: Buffer;

  constructor(
    private readonly auth: AuthRepository,
    private readonly database: Database,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    serverKeys: ServerKeys,
  ) {
    this.tagKey = serverKeys.derive('sign-in-address-tag');
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RequestWithAttempt>();
    const now = this.clock.now();
    const attempt: AddressAttempt = { tag: addressTag(this.tagKey, request.ip), windowStart: addressWindowStart(now) };
    if (!(await this.auth.takeAddressAttempt(this.database.manager, attempt.tag, attempt.windowStart, this.config.signInFailuresPerAddressPerHour))) {
      const retryAfter = Math.max(1, Math.ceil((attempt.windowStart.getTime() + SIGN_IN_ADDRESS_WINDOW_MS - now.getTime()) / 1000));
      void context.switchToHttp().getResponse<FastifyReply>().header('retry-after', String(retryAfter));
      throw new ProblemException(
        'too-many-requests',
        `Too many failed sign-ins from your network address this hour; try again in ${Math.ceil(retryAfter / 60)} minute(s)`,
      );
    }
    request[ATTEMPT] = attempt;
    return true;
  }
}

/** The attempt the guard took for this request; only on routes that use the guard. */
export const SignInAttempt = createParamDecorator((_data: unknown, context: ExecutionContext): AddressAttempt => {
  const attempt = context.switchToHttp().getRequest<RequestWithAttempt>()[ATTEMPT];
  if (attempt === undefined) throw new Error('SignInAttempt used on a route without SignInAddressGuard');
  return attempt;
});
