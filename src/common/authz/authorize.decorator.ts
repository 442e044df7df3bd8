/**
 * The route-level access decorators. Every route carries exactly one of:
 * - `@Public()` — no authentication (health, login, enrolment, setup);
 * - `@Authorize(permission)` — a valid access token and a role allowed by the
 *   permission table (permissions.ts).
 * A route with neither is refused by the guard (deny by default) and fails the
 * authorization matrix test.
 */
import { applyDecorators, createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import type { Actor } from './actor';
import type { Permission } from './permissions';

export const IS_PUBLIC = 'egide:public';
export const REQUIRED_PERMISSION = 'egide:permission';

export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

export function Authorize(permission: Permission): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(REQUIRED_PERMISSION, permission), ApiBearerAuth());
}

/** The authenticated caller, set by the access guard. */
export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): Actor => {
  const request = context.switchToHttp().getRequest<{ user?: Actor }>();
  if (request.user === undefined) throw new Error('CurrentActor used on a route without @Authorize');
  return request.user;
});
