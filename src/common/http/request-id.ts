/**
 * Request ids: a caller's well-formed `X-Request-Id` is kept (so a client or proxy can
 * follow one request through), anything else is replaced by a fresh UUID. The shape is
 * strict so that a header cannot inject text into logs.
 */
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/** Exported for the OpenAPI document (the `requestId` of problems and `X-Request-Id`). */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$/;

/** What is read of a request: its headers, as Node's parser gives them. */
interface RequestHeaders {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export function requestIdFor(request: RequestHeaders): string {
  const offered = request.headers['x-request-id'];
  return typeof offered === 'string' && REQUEST_ID_PATTERN.test(offered) ? offered : globalThis.crypto.randomUUID();
}

/** The current request's id, for services that audit public routes (no Actor there). */
export const RequestId = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  return context.switchToHttp().getRequest<{ id: string }>().id;
});
