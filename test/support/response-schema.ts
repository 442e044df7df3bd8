/**
 * Every response the e2e suite sees is checked against the OpenAPI document: the jest
 * setup file of the e2e project (test/setup/response-schema.setup.ts) wraps
 * `globalThis.fetch`, which the tests, `TestApp.request` and the SDK (src/client, the
 * CLI included) all call. A response to a request that matches an operation (method and
 * path template) must have a declared status, a declared media type, a body that
 * validates against its schema (schemas are closed: an undeclared field fails), and its
 * required headers, each of the declared type. A mismatch is recorded, and the setup
 * file fails the test that saw it.
 *
 * The document is the server's own (buildOpenApiDocument), written once per run by the
 * global setup, so checking adds no request to the servers under test. Requests that
 * match no operation (unknown routes, the docs themselves) are not checked here.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import type { OpenAPIObject } from '@nestjs/swagger';
import { buildOpenApiDocument } from '../../src/common/http/openapi';
import { isEmailAddress } from '../../src/common/http/email-address';
import { startEgide } from '../../src/server';
import { makeTempDir, TEST_SERVER_SECRET, testEnv } from './test-app';

export const OPENAPI_DOCUMENT_ENV = 'EGIDE_TEST_OPENAPI_DOCUMENT';

export interface ResponseMismatch {
  request: string;
  problems: string[];
}

type JsonSchema = Record<string, unknown>;

interface HeaderSpec {
  name: string;
  required: boolean;
  validate: ValidateFunction;
  integer: boolean;
}

interface ResponseSpec {
  /** Media type → validator; empty: the response has no body. */
  bodies: Map<string, ValidateFunction>;
  headers: HeaderSpec[];
}

interface OperationSpec {
  method: string;
  template: string;
  pattern: RegExp;
  /** Literal segments count: /cases/duplicate-search wins over /cases/{id}. */
  literals: number;
  responses: Map<string, ResponseSpec>;
}

/**
 * Once per run (the global setup): the document of a server on `databaseUrl`, written to
 * a file of its own; returns the file's path. The global teardown removes its folder.
 */
export async function writeOpenApiDocument(databaseUrl: string): Promise<string> {
  const dataDir = makeTempDir('egide-openapi-data-');
  const server = await startEgide({
    env: testEnv({ DATABASE_URL: databaseUrl, DATA_DIR: dataDir, LOG_LEVEL: 'silent', SERVER_SECRET: TEST_SERVER_SECRET, API_DOCS: 'true' }),
  });
  try {
    const { document, gaps } = buildOpenApiDocument(server.app);
    if (gaps.length > 0) throw new Error(`the OpenAPI document does not match the server:\n  ${gaps.join('\n  ')}`);
    const path = join(mkdtempSync(join(tmpdir(), 'egide-openapi-')), 'openapi.json');
    writeFileSync(path, JSON.stringify(document));
    return path;
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

function newAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat('uuid', UUID);
  ajv.addFormat('date-time', (value: string) => DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)));
  ajv.addFormat('email', isEmailAddress);
  ajv.addFormat('int32', { type: 'number', validate: (value: number) => Number.isInteger(value) && Math.abs(value) <= 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (value: number) => Number.isSafeInteger(value) });
  return ajv;
}

/** OpenAPI 3.0 schema → JSON Schema: `nullable`, references into the document, no `example`. */
export function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (typeof schema !== 'object' || schema === null) return schema;
  const { nullable, example: _example, ...rest } = schema as JsonSchema;
  const converted: JsonSchema = {};
  for (const [key, value] of Object.entries(rest)) {
    if (key === '$ref' && typeof value === 'string') converted[key] = value.replace(/^#\//, 'openapi#/');
    else if (key === 'properties' && typeof value === 'object' && value !== null) {
      converted[key] = Object.fromEntries(Object.entries(value).map(([name, property]) => [name, toJsonSchema(property)]));
    } else converted[key] = toJsonSchema(value);
  }
  return nullable === true ? { anyOf: [{ type: 'null' }, converted] } : converted;
}

function templatePattern(template: string): RegExp {
  const source = template
    .split('/')
    .map((segment) => (/^\{\w+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`);
}

export class ResponseSchemas {
  private readonly operations: OperationSpec[] = [];

  constructor(document: OpenAPIObject) {
    const ajv = newAjv();
    ajv.addSchema({ $id: 'openapi', components: { schemas: toJsonSchema(document.components?.schemas ?? {}) } });
    const compile = (schema: unknown): ValidateFunction => ajv.compile(toJsonSchema(schema ?? {}) as JsonSchema);
    for (const [template, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item as Record<string, { responses?: Record<string, unknown> }>)) {
        const responses = new Map<string, ResponseSpec>();
        for (const [status, raw] of Object.entries(operation.responses ?? {})) {
          const response = raw as { content?: Record<string, { schema?: unknown }>; headers?: Record<string, { required?: boolean; schema?: JsonSchema }> };
          responses.set(status, {
            bodies: new Map(Object.entries(response.content ?? {}).map(([mediaType, media]) => [mediaType, compile(media.schema)])),
            headers: Object.entries(response.headers ?? {}).map(([name, header]) => ({
              name: name.toLowerCase(),
              required: header.required === true,
              validate: compile(header.schema),
              integer: header.schema?.type === 'integer',
            })),
          });
        }
        this.operations.push({
          method: method.toUpperCase(),
          template,
          pattern: templatePattern(template),
          literals: template.split('/').filter((segment) => segment !== '' && !segment.startsWith('{')).length,
          responses,
        });
      }
    }
    this.operations.sort((a, b) => b.literals - a.literals);
  }

  /** The operation a request reaches, like the router: literal segments before parameters. */
  operationFor(method: string, path: string): OperationSpec | undefined {
    return this.operations.find((operation) => operation.method === method && operation.pattern.test(path));
  }

  /** What is wrong with a response to `method path` (empty: it is as declared; undefined: no such operation). */
  check(method: string, path: string, status: number, headers: Headers, body: string): string[] | undefined {
    const operation = this.operationFor(method, path);
    if (operation === undefined) return undefined;
    const spec = operation.responses.get(String(status)) ?? operation.responses.get('default');
    if (spec === undefined) return [`status ${status} is not declared for ${operation.method} ${operation.template}`];
    const problems: string[] = [];
    for (const header of spec.headers) {
      const value = headers.get(header.name);
      if (value === null) {
        if (header.required) problems.push(`required header ${header.name} is missing`);
        continue;
      }
      const typed = header.integer && /^-?\d+$/.test(value) ? Number(value) : value;
      if (!header.validate(typed)) problems.push(`header ${header.name}: ${describeErrors(header.validate)}`);
    }
    const mediaType = (headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
    if (spec.bodies.size === 0) {
      if (body !== '') problems.push(`a body (${mediaType || 'no content type'}) where none is declared`);
      return problems;
    }
    const validate = spec.bodies.get(mediaType);
    if (validate === undefined) {
      problems.push(`media type "${mediaType}" is not declared (declared: ${[...spec.bodies.keys()].join(', ')})`);
      return problems;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      problems.push('the body is not JSON');
      return problems;
    }
    if (!validate(parsed)) problems.push(`body: ${describeErrors(validate)}`);
    return problems;
  }
}

function describeErrors(validate: ValidateFunction): string {
  return (validate.errors ?? [])
    .map((error) => {
      const extra =
        error.keyword === 'additionalProperties' ? ` (${String((error.params as { additionalProperty?: string }).additionalProperty)})` : '';
      return `${error.instancePath || '/'} ${error.message ?? error.keyword}${extra}`;
    })
    .join('; ');
}

let schemas: ResponseSchemas | undefined;

function loadSchemas(): ResponseSchemas | undefined {
  if (schemas !== undefined) return schemas;
  const path = process.env[OPENAPI_DOCUMENT_ENV];
  if (path === undefined || path === '') return undefined;
  schemas = new ResponseSchemas(JSON.parse(readFileSync(path, 'utf8')) as OpenAPIObject);
  return schemas;
}

const mismatches: ResponseMismatch[] = [];

/** The mismatches recorded since the last call (the setup file fails the test on any). */
export function takeResponseMismatches(): ResponseMismatch[] {
  return mismatches.splice(0, mismatches.length);
}

function requestOf(input: Parameters<typeof fetch>[0], init: RequestInit | undefined): { method: string; url: URL } {
  const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
  const url = new URL(input instanceof Request ? input.url : String(input));
  return { method, url };
}

/** Wraps globalThis.fetch once; every response then passes through the check before the caller sees it. */
export function installResponseSchemaCheck(): void {
  const original = globalThis.fetch as typeof fetch & { egideChecked?: true };
  if (original.egideChecked === true) return;
  const checked = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
    const response = await original(input, init);
    const compiled = loadSchemas();
    if (compiled === undefined) return response;
    const { method, url } = requestOf(input, init);
    if (compiled.operationFor(method, url.pathname) === undefined) return response;
    // A clone, read whole: the caller still reads the original.
    const body = await response.clone().text();
    const problems = compiled.check(method, url.pathname, response.status, response.headers, body);
    if (problems !== undefined && problems.length > 0) {
      mismatches.push({ request: `${method} ${url.pathname} → ${response.status}`, problems });
    }
    return response;
  };
  globalThis.fetch = Object.assign(checked, { egideChecked: true as const });
}
