/**
 * What every operation of the document says about access and limits, derived from the
 * metadata the guards act on: `@Public()` or `@Authorize(permission)` (the access guard),
 * `@CredentialRoute()` (the credential rate limit). Per operation: its security
 * requirement (none, a member's access token, an administrator's), the problems the
 * server can answer before the route runs (400, 401, 403, 408, 413, 414, 415, 429, 431,
 * 500) besides the ones
 * the route declares, the rate-limit headers on the responses that carry them, and a
 * description that says all of it in words.
 */
import type { HeaderObject, OpenAPIObject, OperationObject, ResponseObject, SchemaObject } from '@nestjs/swagger';
import { IS_PUBLIC, REQUIRED_PERMISSION } from '../authz/authorize.decorator';
import { ROLES_BY_PERMISSION, TEAM_GRANT_REQUIRED, type Permission } from '../authz/permissions';
import { ROLES } from '../../contract/roles';
import { EnvironmentVariables } from '../config/environment';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_PREFIX, PROBLEMS } from '../http/problem';
import { CREDENTIAL_LIMIT, CREDENTIAL_ROUTE, RATE_LIMIT_WINDOW_MS, SIGN_IN_ADDRESS_WINDOW_MS } from '../http/rate-limits';
import { REQUEST_ID_PATTERN } from '../http/request-id';
import type { DocumentedRoute } from './documented-routes';
import { propertyValidations } from './validation-schema';

export const MEMBER_SCHEME = 'memberAccessToken';
export const ADMINISTRATOR_SCHEME = 'administratorAccessToken';

const TOKEN_PRACTICES =
  'A JWT from /auth/login or /auth/refresh, sent as `Authorization: Bearer <token>`. It follows the practices of RFC8725: ' +
  'the algorithm is pinned (HS256, under a key derived from the server secret for token signing only), issuer, audience, ' +
  'token kind (`typ`) and expiry are checked, claims of the wrong shape are refused, and the token lives 15 minutes; ' +
  'the server also checks on every request that its session and the account are still current.';

export const SECURITY_SCHEMES = {
  [MEMBER_SCHEME]: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: `An access token of a signed-in member. ${TOKEN_PRACTICES}` },
  [ADMINISTRATOR_SCHEME]: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: `An access token of a signed-in ADMIN: the administration routes refuse every other role (403). ${TOKEN_PRACTICES}`,
  },
} as const;

const BODY_METHODS = new Set(['post', 'put', 'patch', 'delete']);
/** Answered by a guard, the pipe or the handler: the rate limiter has run and set its headers. */
const AFTER_THE_LIMITER = new Set([401, 403, 404, 409, 422]);
const WINDOW_SECONDS = RATE_LIMIT_WINDOW_MS / 1000;

const integer = (minimum: number, maximum: number): SchemaObject => ({ type: 'integer', format: 'int32', minimum, maximum });

function limitMaximum(): number {
  const max = propertyValidations(EnvironmentVariables)
    .get('RATE_LIMIT_PER_MINUTE')
    ?.rules.find((rule) => rule.name === 'max');
  return Number(max?.constraints[0]);
}

function rateLimitHeaders(suffix: string, what: string, required: boolean, note: string): Record<string, HeaderObject> {
  const limitMax = limitMaximum();
  return {
    [`X-RateLimit-Limit${suffix}`]: { description: `Requests allowed per window by ${what}${note}`, required, schema: integer(1, limitMax) },
    [`X-RateLimit-Remaining${suffix}`]: { description: `Requests left in the current window${note}`, required, schema: integer(0, limitMax) },
    [`X-RateLimit-Reset${suffix}`]: { description: `Seconds until the window ends${note}`, required, schema: integer(1, WINDOW_SECONDS) },
  };
}

const REQUEST_ID_HEADER: Record<string, HeaderObject> = {
  'X-Request-Id': {
    description: "The request's id (the caller's well-formed X-Request-Id, or a new UUID), also in the log and in problems",
    required: true,
    schema: { type: 'string', minLength: 8, maxLength: 128, pattern: REQUEST_ID_PATTERN.source },
  },
};

function retryAfter(suffix: string, what: string, required: boolean, maximum: number): Record<string, HeaderObject> {
  return { [`Retry-After${suffix}`]: { description: `Seconds to wait before ${what} admits a request again`, required, schema: integer(1, maximum) } };
}

/** CORS is closed unless CORS_ORIGINS lists origins (docs/api.md); then only those are named. */
const CORS_HEADER: Record<string, HeaderObject> = {
  'Access-Control-Allow-Origin': {
    description: "Only on a cross-origin request from an origin that CORS_ORIGINS lists: that origin. Absent otherwise (CORS closed, the default)",
    required: false,
    schema: { type: 'string', maxLength: 2048, pattern: '^https?://[^\\s,]+$' },
  },
};

/** The headers of one response, by status and route kind. */
function responseHeaders(status: number, credential: boolean): Record<string, HeaderObject> {
  const headers: Record<string, HeaderObject> = { ...REQUEST_ID_HEADER, ...CORS_HEADER };
  const success = status >= 200 && status < 300;
  if (!success && (status < 400 || status >= 500)) return headers;
  const required = success || AFTER_THE_LIMITER.has(status);
  const note = required ? '' : status === 429 ? ' (absent when this limit is the one refusing)' : ' (absent when the request was refused while being read, before the rate limiter)';
  Object.assign(headers, rateLimitHeaders('', 'the general limit (RATE_LIMIT_PER_MINUTE per client address)', required, note));
  if (credential) {
    Object.assign(
      headers,
      rateLimitHeaders(`-${CREDENTIAL_LIMIT}`, 'the credential limit (AUTH_RATE_LIMIT_PER_MINUTE per client address, shared by every credential route)', required, note),
    );
  }
  if (status === 429) {
    // Sign-in routes also refuse an address past its failed sign-ins of the hour (docs/identity.md).
    const longest = credential ? SIGN_IN_ADDRESS_WINDOW_MS / 1000 : WINDOW_SECONDS;
    Object.assign(headers, retryAfter('', 'every limit that refused', true, longest));
    if (credential) Object.assign(headers, retryAfter(`-${CREDENTIAL_LIMIT}`, 'the credential limit', false, WINDOW_SECONDS));
  }
  return headers;
}

type Access = 'public' | Permission;

function accessOf(route: DocumentedRoute): Access | undefined {
  const read = (key: string): unknown => (Reflect.getMetadata(key, route.handler) as unknown) ?? (Reflect.getMetadata(key, route.controller) as unknown);
  if (read(IS_PUBLIC) === true) return 'public';
  return read(REQUIRED_PERMISSION) as Permission | undefined;
}

function problemDescription(status: number, access: Access): string {
  const codes = Object.entries(PROBLEMS)
    .filter(([code, problem]) => problem.status === status && (code !== 'team-grant-required' || (access !== 'public' && TEAM_GRANT_REQUIRED[access])))
    .map(([code, problem]) => `${problem.title} (${PROBLEM_TYPE_PREFIX}${code})`);
  return codes.length > 0 ? codes.join('; ') : 'Error';
}

function problemResponse(status: number, access: Access): ResponseObject {
  return {
    description: problemDescription(status, access),
    content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/ProblemDetailsDto' } } },
  };
}

function accessDescription(access: Access, credential: boolean): string {
  const limits = credential
    ? 'Rate limits: the general limit and the credential limit (a credential route: the router-matched route counts, however the URL was spelled).'
    : 'Rate limit: the general limit.';
  if (access === 'public') return `Access: public, no access token. ${limits}`;
  const roles = ROLES_BY_PERMISSION[access];
  const who = roles.length === ROLES.length ? 'any signed-in member' : `a signed-in ${roles.join(' or ')}`;
  const grant = TEAM_GRANT_REQUIRED[access] ? ", holding a grant of their scope's current team key (403 team-grant-required otherwise)" : '';
  return `Access: ${who}${grant} (permission ${access}). ${limits}`;
}

/** Security, problems, headers and descriptions of every operation. Returns the gaps. */
export function declareOperations(document: OpenAPIObject, routes: Map<string, DocumentedRoute>): string[] {
  const gaps: string[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item as Record<string, OperationObject>)) {
      const route = operation.operationId === undefined ? undefined : routes.get(operation.operationId);
      const access = route === undefined ? undefined : accessOf(route);
      if (route === undefined || access === undefined) {
        gaps.push(`${method.toUpperCase()} ${path}: no route with @Public() or @Authorize() behind it`);
        continue;
      }
      const credential = Reflect.getMetadata(CREDENTIAL_ROUTE, route.handler) === true;
      operation.security =
        access === 'public' ? [] : [{ [ROLES_BY_PERMISSION[access].every((role) => role === 'ADMIN') ? ADMINISTRATOR_SCHEME : MEMBER_SCHEME]: [] }];
      operation.description = [operation.description, accessDescription(access, credential)].filter((text) => text !== undefined && text !== '').join('\n\n');

      // Refusals that can meet any request: a malformed one, one that arrives too slowly, a
      // URL or path segment over its limit, headers over theirs, the rate limit, a fault.
      const statuses = new Set([400, 408, 414, 429, 431, 500]);
      if (access !== 'public') {
        statuses.add(401);
        if (ROLES_BY_PERMISSION[access].length < ROLES.length || TEAM_GRANT_REQUIRED[access]) statuses.add(403);
      }
      if (BODY_METHODS.has(method)) {
        statuses.add(413);
        statuses.add(415);
      }
      const responses = operation.responses as Record<string, ResponseObject>;
      for (const status of statuses) responses[String(status)] ??= problemResponse(status, access);
      for (const [status, response] of Object.entries(responses)) {
        if (Number(status) >= 400) response.description = problemDescription(Number(status), access);
        response.headers = { ...response.headers, ...responseHeaders(Number(status), credential) };
      }
      operation.responses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
    }
  }
  return gaps;
}
