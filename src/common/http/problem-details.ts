/**
 * Turns anything thrown while serving a request into one RFC 9457 problem body. Used by
 * the Nest exception filter and by Fastify's own error handler (body parsing fails
 * before Nest sees the request), so both paths answer alike.
 *
 * An unexpected error becomes a generic 500: its message, stack and any SQL stay in the
 * log (with the request id), never in the response.
 */
import { HttpException } from '@nestjs/common';
import { PROBLEM_TYPE_PREFIX, PROBLEMS, ProblemException, type FieldError, type ProblemCode } from './problem';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  requestId: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export interface RenderedProblem {
  body: ProblemBody;
  /** True when the error was not foreseen and must be logged as an error. */
  unexpected: boolean;
  headers: Record<string, string>;
}

const CODE_BY_STATUS: Record<number, ProblemCode> = Object.fromEntries(
  Object.entries(PROBLEMS).map(([code, { status }]) => [status, code as ProblemCode]),
);

/** Fastify's own errors carry `statusCode` and an `FST_…` code; JSON syntax errors too. */
interface FastifyLikeError {
  statusCode?: unknown;
  code?: unknown;
}

/**
 * What a problem says when the error is not one of ours (Nest's router, the throttler,
 * Fastify): a fixed sentence per code. Their own messages are never passed on: they
 * echo the URL ("Cannot GET /…") or name a class ("ThrottlerException: …").
 */
export const GENERIC_DETAILS: Record<ProblemCode, string> = {
  'validation-failed': 'The request is not valid',
  'malformed-request': 'The request could not be read',
  'totp-code-used': 'This code was just used; wait for the next one',
  unauthenticated: 'A valid access token is required',
  'team-grant-required': 'No grant of your team key yet',
  forbidden: 'This role may not do this',
  'not-found': 'No such route or resource',
  'method-not-allowed': 'This method is not allowed here',
  'not-acceptable': 'The server answers application/json only',
  'request-timeout': 'The request did not arrive in time',
  conflict: 'The request conflicts with the current state',
  'payload-too-large': 'The request body is larger than the limit',
  'uri-too-long': 'The URL is longer than the server accepts',
  'unsupported-media-type': 'This content type is not accepted; send application/json',
  unprocessable: 'The request cannot be processed',
  'too-many-requests': 'Too many requests; wait for the time in Retry-After',
  'header-fields-too-large': 'The request headers are larger than the server accepts',
  'internal-error': 'An unexpected error occurred; quote the request id when reporting it',
  'service-unavailable': 'The service is not available; try again shortly',
};

const FASTIFY_DETAILS: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'The request body is larger than the limit',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'This content type is not accepted; send application/json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The body is empty but the content type says JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'The body is not valid JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Content-Length does not match the body',
  FST_ERR_BAD_URL: 'The URL is not validly percent-encoded',
  FST_ERR_MAX_PARAM_LENGTH: 'A path segment is longer than the server accepts',
};

export function renderProblem(error: unknown, requestId: string): RenderedProblem {
  if (error instanceof ProblemException) {
    return {
      body: {
        ...error.extensions,
        ...build(error.code, error.detail, requestId),
        ...(error.fieldErrors.length > 0 ? { errors: [...error.fieldErrors] } : {}),
      },
      unexpected: false,
      headers: {},
    };
  }

  if (error instanceof HttpException) {
    const status = error.getStatus();
    const code = CODE_BY_STATUS[status];
    // 503 is foreseen (readiness says "not yet"); any other 5xx is a fault of ours.
    if (code !== undefined && (status < 500 || status === 503)) {
      return { body: build(code, GENERIC_DETAILS[code], requestId), unexpected: false, headers: {} };
    }
  }

  const fastifyError = error as FastifyLikeError;
  if (
    typeof error === 'object' &&
    error !== null &&
    typeof fastifyError.statusCode === 'number' &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    const code = CODE_BY_STATUS[fastifyError.statusCode] ?? 'malformed-request';
    const fastifyCode = typeof fastifyError.code === 'string' ? fastifyError.code : '';
    const detail =
      FASTIFY_DETAILS[fastifyCode] ?? (error instanceof SyntaxError ? 'The body is not valid JSON' : GENERIC_DETAILS[code]);
    return { body: build(code, detail, requestId), unexpected: false, headers: {} };
  }

  return {
    body: build('internal-error', GENERIC_DETAILS['internal-error'], requestId),
    unexpected: true,
    headers: {},
  };
}

function build(code: ProblemCode, detail: string, requestId: string): ProblemBody {
  const { status, title } = PROBLEMS[code];
  return { type: PROBLEM_TYPE_PREFIX + code, title, status, detail, requestId };
}

/** What of an unexpected error may be logged: never its enumerable extras (SQL parameters). */
export function describeUnexpected(error: unknown): Record<string, unknown> {
  // Duck-typed: an Error from another realm (a VM context, a worker) fails instanceof.
  if (typeof error !== 'object' || error === null) return { type: typeof error };
  const { name, message, code, stack } = error as { name?: unknown; message?: unknown; code?: unknown; stack?: unknown };
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  return { name: text(name), message: text(message), code: text(code), stack: text(stack) };
}
