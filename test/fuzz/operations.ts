/**
 * What there is to fuzz: every operation of the OpenAPI document the server serves, and
 * every route of the Nest router (test/support/nest-routes.ts). A route the document
 * lacks is fuzzed all the same, from its path template alone; the disagreement is
 * reported as a finding. Nothing here is written per route: a new route is fuzzed the
 * day it is served.
 */
import type { ServedRoute } from '../support/nest-routes';


/** The part of JSON Schema (OpenAPI 3.0 flavour) that the generator and mutations read. */
export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  default?: unknown;
  nullable?: boolean;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, { parameters?: RawParameter[]; requestBody?: { content?: Record<string, { schema?: Schema }> } }>>;
  components?: { schemas?: Record<string, Schema> };
}

interface RawParameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Schema;
}

export interface FuzzParameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: Schema;
}

export interface FuzzOperation {
  /** `post /api/v1/cases/{id}/events`: the key of the status table, the factories and the authorization matrix. */
  key: string;
  method: string;
  /** OpenAPI path template. */
  template: string;
  parameters: FuzzParameter[];
  /** The JSON body's schema, resolved; undefined when the operation takes no body. */
  body: Schema | undefined;
  public: boolean;
  /** What the route's decorators declare (its authorization-matrix access). */
  access: ServedRoute['access'];
  /** False for a route the router serves but the document does not describe. */
  documented: boolean;
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);

/** `$ref`s resolved and `allOf` merged, all the way down: the generator and mutations read plain schemas. */
export function resolveSchema(document: OpenApiDocument, schema: Schema | undefined, seen: ReadonlySet<string> = new Set()): Schema {
  if (schema === undefined) return {};
  if (schema.$ref !== undefined) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    if (seen.has(name)) return { type: 'object' };
    const { $ref: _ref, ...rest } = schema;
    return { ...resolveSchema(document, document.components?.schemas?.[name], new Set([...seen, name])), ...rest };
  }
  if (schema.allOf !== undefined) {
    const { allOf, ...rest } = schema;
    return allOf
      .map((part) => resolveSchema(document, part, seen))
      .reduce<Schema>(
        (all, part) => ({ ...all, ...part, properties: { ...all.properties, ...part.properties }, required: [...(all.required ?? []), ...(part.required ?? [])] }),
        resolveSchema(document, rest, seen),
      );
  }
  const deep = (part: Schema | undefined): Schema | undefined => (part === undefined ? undefined : resolveSchema(document, part, seen));
  return {
    ...schema,
    ...(schema.properties === undefined
      ? {}
      : { properties: Object.fromEntries(Object.entries(schema.properties).map(([name, part]) => [name, resolveSchema(document, part, seen)])) }),
    ...(schema.items === undefined ? {} : { items: deep(schema.items) }),
    ...(schema.oneOf === undefined ? {} : { oneOf: schema.oneOf.map((part) => resolveSchema(document, part, seen)) }),
    ...(schema.anyOf === undefined ? {} : { anyOf: schema.anyOf.map((part) => resolveSchema(document, part, seen)) }),
  };
}

function pathParametersOf(template: string): FuzzParameter[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
}

export interface OperationSet {
  operations: FuzzOperation[];
  /** `served but undocumented: …` and `documented but not served: …`. */
  disagreements: string[];
}

export function fuzzOperations(document: OpenApiDocument, routes: readonly ServedRoute[]): OperationSet {
  const documented = new Map<string, FuzzOperation>();
  for (const [template, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!HTTP_METHODS.has(method)) continue;
      const parameters = (operation.parameters ?? [])
        .filter((parameter) => parameter.in === 'path' || parameter.in === 'query' || parameter.in === 'header')
        .map((parameter) => ({
          name: parameter.name,
          in: parameter.in as FuzzParameter['in'],
          required: parameter.required === true || parameter.in === 'path',
          schema: resolveSchema(document, parameter.schema),
        }));
      const jsonBody = operation.requestBody?.content?.['application/json']?.schema;
      const key = `${method} ${template}`;
      documented.set(key, {
        key,
        method: method.toUpperCase(),
        template,
        parameters,
        body: jsonBody === undefined ? undefined : resolveSchema(document, jsonBody),
        public: false,
        access: undefined,
        documented: true,
      });
    }
  }
  const disagreements: string[] = [];
  const operations: FuzzOperation[] = [];
  const served = new Set<string>();
  for (const route of routes) {
    const key = `${route.method} ${route.path}`;
    served.add(key);
    const known = documented.get(key);
    if (known === undefined) disagreements.push(`served but not in the OpenAPI document: ${key}`);
    operations.push({
      ...(known ?? {
        key,
        method: route.method.toUpperCase(),
        template: route.path,
        parameters: pathParametersOf(route.path),
        body: undefined,
        documented: false,
      }),
      public: route.access === 'public',
      access: route.access,
    });
  }
  for (const key of documented.keys()) {
    if (!served.has(key)) disagreements.push(`in the OpenAPI document but not served: ${key}`);
  }
  return { operations: operations.sort((a, b) => a.key.localeCompare(b.key)), disagreements };
}
