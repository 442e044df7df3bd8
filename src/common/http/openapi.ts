/**
 * The OpenAPI document (/api/docs-json) and its UI (/api/docs). Off in production unless
 * API_DOCS=true. The document is Nest's, from the controllers and DTOs, then completed
 * from what the server enforces (src/common/openapi/): every limit class-validator
 * checks, every operation's access, problems and rate-limit headers. Schemas are closed
 * (`additionalProperties: false`): the pipe refuses unknown properties, and responses are
 * built field by field. Problem bodies (ProblemDetailsDto) stay open: RFC 9457
 * extensions vary by problem. Routes of the modules passed as `excluded` (the tests'
 * probes) are not part of the API and stay out. docs/api.md, "OpenAPI", says how it is
 * linted and tested.
 */
import type { Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject, type ServerObject } from '@nestjs/swagger';
import { documentedModules, documentedRoutes } from '../openapi/documented-routes';
import { declareOperations, SECURITY_SCHEMES } from '../openapi/operation-contract';
import { declareValidation } from '../openapi/validation-schema';
import { FieldErrorDto, ProblemDetailsDto } from './problem';
import { DOCS_PATH } from './security-headers';

const TAGS: Record<string, string> = {
  health: 'Liveness and readiness, for load balancers (public)',
  setup: 'The first administrator, with the one-time setup token',
  auth: 'Enrolment, sign-in, sessions, password change and recovery: the client derives every secret, the server sees only authKeys',
  admin: 'Embassies, organisations, invitations and accounts (ADMIN only)',
  keys: 'The key directory and team keys: public keys, grants, rotations, sealed data keys',
  cases: "Defender cases of the caller's embassy: clear fields, sealed revisions, timeline, transfer, shred",
};

/** Problem bodies are open on purpose: extensions (currentVersion, allowed, …) vary by problem. */
const OPEN_SCHEMAS = new Set(['ProblemDetailsDto']);

export interface BuiltDocument {
  document: OpenAPIObject;
  /** What could not be derived from the server's own rules; the OpenAPI test requires none. */
  gaps: string[];
}

export function buildOpenApiDocument(app: NestFastifyApplication, excluded: readonly Type[] = []): BuiltDocument {
  const config = new DocumentBuilder()
    .setTitle('Egide API')
    .setDescription(
      'Case management for human rights defenders at risk. Sealed fields are encrypted and signed by the client; ' +
        'the server stores envelopes and never sees their plaintext. Errors are application/problem+json (RFC 9457). ' +
        'Every limit in this document is one the server enforces.',
    )
    .setVersion('1')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    include: documentedModules(app, excluded),
    extraModels: [ProblemDetailsDto, FieldErrorDto],
  });
  const routes = documentedRoutes(app, excluded);
  const gaps = [...declareValidation(document, routes), ...declareOperations(document, routes)];

  document.servers = [
    {
      url: '/',
      description: 'The server that serves this document, whichever deployment it is (local, test or production)',
      'x-internal': false,
    } as ServerObject,
  ];
  document.components = { ...document.components, securitySchemes: { ...SECURITY_SCHEMES } };
  const used = new Set(Object.values(document.paths).flatMap((item) => Object.values(item as Record<string, { tags?: string[] }>).flatMap((op) => op.tags ?? [])));
  document.tags = [...used].sort().map((name) => {
    if (TAGS[name] === undefined) gaps.push(`tag ${name} has no description (src/common/http/openapi.ts)`);
    return { name, description: TAGS[name] ?? name };
  });
  for (const [name, schema] of Object.entries(document.components.schemas ?? {})) {
    if (!('$ref' in schema) && !OPEN_SCHEMAS.has(name)) schema.additionalProperties = false;
  }
  return { document, gaps };
}

export function setupOpenApi(app: NestFastifyApplication, excluded: readonly Type[] = []): void {
  const { document } = buildOpenApiDocument(app, excluded);
  SwaggerModule.setup(DOCS_PATH.slice(1), app, document, {
    jsonDocumentUrl: `${DOCS_PATH.slice(1)}-json`,
    raw: ['json'],
    customSiteTitle: 'Egide API',
  });
}
