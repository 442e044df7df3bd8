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

const FASTIFY_DETAILS: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'The request body is larger than the limit',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'This content type is not accepted; send application/json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The body is empty but the content type says JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'The body is not valid JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Content-Length does not match the body',
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
      return { body: build(code, nestDetail(error), requestId), unexpected: false, headers: {} };
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
      FASTIFY_DETAILS[fastifyCode] ?? (error instanceof SyntaxError ? 'The body is not valid JSON' : PROBLEMS[code].title);
    return { body: build(code, detail, requestId), unexpected: false, headers: {} };
  }

  return {
    body: build('internal-error', 'An unexpected error occurred; quote the request id when reporting it', requestId),
    unexpected: true,
    headers: {},
  };
}

function build(code: ProblemCode, detail: string, requestId: string): ProblemBody {
  const { status, title } = PROBLEMS[code];
  return { type: PROBLEM_TYPE_PREFIX + code, title, status, detail, requestId };
}

/** Nest's built-in exceptions carry short, safe messages ("Cannot GET /x"). */
function nestDetail(error: HttpException): string {
  const response = error.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return error.message;
}

/** What of an unexpected error may be logged: never its enumerable extras (SQL parameters). */
export function describeUnexpected(error: unknown): Record<string, unknown> {
  // Duck-typed: an Error from another realm (a VM context, a worker) fails instanceof.
  if (typeof error !== 'object' || error === null) return { type: typeof error };
  const { name, message, code, stack } = error as { name?: unknown; message?: unknown; code?: unknown; stack?: unknown };
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  return { name: text(name), message: text(message), code: text(code), stack: text(stack) };
}
