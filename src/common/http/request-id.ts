/**
 * Request ids: a caller's well-formed `X-Request-Id` is kept (so a client or proxy can
 * follow one request through), anything else is replaced by a fresh UUID. The shape is
 * strict so that a header cannot inject text into logs.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/** Exported for the OpenAPI document (the `requestId` of problems and `X-Request-Id`). */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$/;

export function requestIdFor(request: IncomingMessage): string {
  const offered = request.headers['x-request-id'];
  return typeof offered === 'string' && REQUEST_ID_PATTERN.test(offered) ? offered : randomUUID();
}

/** The current request's id, for services that audit public routes (no Actor there). */
export const RequestId = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  return context.switchToHttp().getRequest<{ id: string }>().id;
});
