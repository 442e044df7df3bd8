/**
 * The error vocabulary of the API: a closed set of problem codes, each with its HTTP
 * status and title, and the exception that carries one. Services throw these; the one
 * exception filter (problem-details.filter.ts) renders them as RFC 9457
 * `application/problem+json`. A problem's `detail` is written for the caller and must
 * never carry sealed content, a secret, SQL or a stack.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { REQUEST_ID_PATTERN } from './request-id';
import { visibleText } from './text-rules';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** `type` URIs are `urn:egide:problem:<code>`; docs/api.md lists them. */
export const PROBLEM_TYPE_PREFIX = 'urn:egide:problem:';

export const PROBLEMS = {
  'validation-failed': { status: 400, title: 'The request is not valid' },
  'malformed-request': { status: 400, title: 'The request could not be read' },
  // Before `unauthenticated`: a bare 401 takes the last code of its status.
  'totp-code-used': { status: 401, title: 'This code was just used' },
  unauthenticated: { status: 401, title: 'Authentication required' },
  // Before `forbidden`: a bare 403 (a Nest exception, OpenAPI's title) takes the last code of its status.
  'team-grant-required': { status: 403, title: 'No grant of your team key yet' },
  forbidden: { status: 403, title: 'Not allowed' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'not-acceptable': { status: 406, title: 'Not acceptable' },
  'request-timeout': { status: 408, title: 'The request took too long to arrive' },
  // Before `conflict`: a bare 409 takes the last code of its status.
  conflict: { status: 409, title: 'Conflict with the current state' },
  'payload-too-large': { status: 413, title: 'Request body too large' },
  'uri-too-long': { status: 414, title: 'The URL is too long' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  unprocessable: { status: 422, title: 'The request cannot be processed' },
  'too-many-requests': { status: 429, title: 'Too many requests' },
  'header-fields-too-large': { status: 431, title: 'Request headers too large' },
  'internal-error': { status: 500, title: 'Internal error' },
  'service-unavailable': { status: 503, title: 'Service unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEMS;

export interface FieldError {
  /** Dotted path of the offending property, e.g. `sealed.name` or `threatTypes.2`. */
  field: string;
  messages: string[];
}

/**
 * The most a validation problem names, so that a body breaking many rules (or carrying a
 * long unknown property name) still gets a small answer. docs/api.md states these.
 */
export const MAX_FIELD_ERRORS = 50;
export const MAX_FIELD_PATH_LENGTH = 200;
export const MAX_MESSAGES_PER_FIELD = 20;
export const MAX_MESSAGE_LENGTH = 500;
/** `Invalid field(s): ` and MAX_FIELD_ERRORS paths fit, with room for the services' own details. */
export const MAX_DETAIL_LENGTH = 12_000;

/** At most `max` code points (what JSON Schema's maxLength counts), an ellipsis marking a cut. */
function clip(text: string, max: number): string {
  const points = Array.from(text);
  return points.length <= max ? text : `${points.slice(0, max - 1).join('')}…`;
}

/** Field paths and messages quote property names the client chose: invisible characters are escaped, lengths capped. */
export function boundedFieldErrors(errors: readonly FieldError[]): FieldError[] {
  return errors.slice(0, MAX_FIELD_ERRORS).map(({ field, messages }) => ({
    field: clip(visibleText(field), MAX_FIELD_PATH_LENGTH),
    messages: messages.slice(0, MAX_MESSAGES_PER_FIELD).map((message) => clip(visibleText(message), MAX_MESSAGE_LENGTH)),
  }));
}

const PROBLEM_CODES = Object.keys(PROBLEMS) as ProblemCode[];

export class FieldErrorDto implements FieldError {
  @ApiProperty({ example: 'riskLevel', maxLength: MAX_FIELD_PATH_LENGTH, description: 'Dotted path of the offending property' })
  field!: string;

  @ApiProperty({
    type: [String],
    maxItems: MAX_MESSAGES_PER_FIELD,
    items: { type: 'string', maxLength: MAX_MESSAGE_LENGTH },
    example: ['riskLevel must be one of: LOW, MEDIUM, HIGH, CRITICAL'],
  })
  messages!: string[];
}

/** The body of every error response (RFC 9457), for the OpenAPI document. */
export class ProblemDetailsDto {
  @ApiProperty({ enum: PROBLEM_CODES.map((code) => PROBLEM_TYPE_PREFIX + code), example: 'urn:egide:problem:validation-failed' })
  type!: string;

  @ApiProperty({ enum: [...new Set(PROBLEM_CODES.map((code) => PROBLEMS[code].title))], example: 'The request is not valid' })
  title!: string;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 400, maximum: 599, enum: [...new Set(PROBLEM_CODES.map((code) => PROBLEMS[code].status))], example: 400 })
  status!: number;

  @ApiProperty({ maxLength: MAX_DETAIL_LENGTH, example: 'riskLevel must be one of: LOW, MEDIUM, HIGH, CRITICAL' })
  detail!: string;

  @ApiProperty({ pattern: REQUEST_ID_PATTERN.source, minLength: 8, maxLength: 128, example: '5f0c6a1e-4d8b-4f5e-9a51-0c1d2e3f4a5b' })
  requestId!: string;

  @ApiPropertyOptional({ type: [FieldErrorDto], maxItems: MAX_FIELD_ERRORS, description: `validation-failed only: the first ${MAX_FIELD_ERRORS} offending fields` })
  errors?: FieldErrorDto[];
}

/** Extra members a problem may carry (RFC 9457 extensions), e.g. `currentVersion`. */
export type ProblemExtensions = Record<string, string | number | boolean | string[] | null>;

export class ProblemException extends Error {
  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly extensions: ProblemExtensions = {},
    readonly fieldErrors: readonly FieldError[] = [],
  ) {
    super(detail);
    this.name = 'ProblemException';
  }

  get status(): number {
    return PROBLEMS[this.code].status;
  }
}

export class ValidationFailedException extends ProblemException {
  constructor(fieldErrors: readonly FieldError[]) {
    const shown = boundedFieldErrors(fieldErrors);
    const more = fieldErrors.length - shown.length;
    const fields = shown.map((e) => e.field).join(', ');
    super('validation-failed', `Invalid field(s): ${fields}${more > 0 ? ` and ${more} more` : ''}`, {}, shown);
  }
}

/**
 * A stale update, for every versioned record (cases, embassies, organisations, accounts):
 * the record moved on since the caller read it (docs/api.md). 409 `conflict` with
 * `reason: stale-version` and `currentVersion`: the caller reads it again, sees what
 * changed, and retries.
 */
export class VersionConflictProblem extends ProblemException {
  constructor(what: string, currentVersion: number, sentVersion: number) {
    super('conflict', `The ${what} is at version ${currentVersion}, not ${sentVersion}; reload it and retry`, { reason: 'stale-version', currentVersion });
  }
}

/** Out of scope and missing look the same on purpose (docs/api.md). */
export class NotFoundProblem extends ProblemException {
  constructor(what = 'resource') {
    super('not-found', `No such ${what}`);
  }
}

/** A 400 naming one field, with a message that starts with the field's name. */
export function fieldProblem(field: string, message: string): ProblemException {
  return new ValidationFailedException([{ field, messages: [`${field} ${message}`] }]);
}
