/**
 * What class-validator enforces on the DTOs, written into their OpenAPI schemas: string
 * lengths, patterns and formats, integer ranges, array sizes, enums. The document is
 * derived from the validators themselves, so it can promise neither less nor more than
 * the ValidationPipe checks. Response-only classes carry no validators: their limits are
 * written in their @ApiProperty options.
 *
 * Anything the derivation cannot vouch for is returned as a gap (a validator with no
 * rule here, a validated property the document lacks, a documented property the pipe
 * would refuse as unknown, a `required` list that disagrees with @IsOptional). The
 * OpenAPI test fails on any gap, so a new kind of check must say how it is documented.
 */
import { DECORATORS, type OpenAPIObject } from '@nestjs/swagger';
import type { ParameterObject, ReferenceObject, SchemaObject } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';
import { DATE_OR_DATE_TIME } from '../http/calendar-date';
import { EMAIL_MAX_LENGTH } from '../http/email-address';
import type { DocumentedRoute, DtoClass } from './documented-routes';

type Schema = SchemaObject & Record<string, unknown>;

interface ValidatorRule {
  readonly apply: (schema: Schema, constraints: readonly unknown[]) => void;
}

const INT32_MAX = 2 ** 31 - 1;
/** `2026-07-01T10:00:00.123456789+02:00`: the longest form the calendar-date rule takes. */
const CALENDAR_DATE_MAX_LENGTH = 35;
const UUID_LENGTH = 36;

/** How each validator in use is written in JSON Schema (OpenAPI 3.0). */
const RULES: Record<string, ValidatorRule> = {
  isString: { apply: (schema) => void (schema.type = 'string') },
  isBoolean: { apply: (schema) => void (schema.type = 'boolean') },
  isInt: { apply: (schema) => void (schema.type = 'integer') },
  isArray: { apply: (schema) => void (schema.type = 'array') },
  isObject: { apply: () => undefined },
  isDefined: { apply: () => undefined },
  maxLength: { apply: (schema, [max]) => void (schema.maxLength = Number(max)) },
  minLength: { apply: (schema, [min]) => void (schema.minLength = Number(min)) },
  isLength: {
    apply: (schema, [min, max]) => {
      schema.minLength = Number(min);
      if (max !== undefined) schema.maxLength = Number(max);
    },
  },
  isNotEmpty: { apply: (schema) => void (schema.minLength = Math.max(schema.minLength ?? 0, 1)) },
  matches: { apply: (schema, [pattern, modifiers]) => void (schema.pattern = patternSource(pattern, modifiers)) },
  isUuid: {
    apply: (schema) => {
      schema.format = 'uuid';
      schema.minLength = UUID_LENGTH;
      schema.maxLength = UUID_LENGTH;
    },
  },
  isEmailAddress: {
    apply: (schema) => {
      schema.format = 'email';
      schema.maxLength = Math.min(schema.maxLength ?? EMAIL_MAX_LENGTH, EMAIL_MAX_LENGTH);
    },
  },
  isEmail: { apply: (schema) => void (schema.format = 'email') },
  isIn: { apply: (schema, [values]) => enumOf(schema, values as unknown[]) },
  equals: { apply: (schema, [value]) => enumOf(schema, [value]) },
  min: { apply: (schema, [min]) => void (schema.minimum = Number(min)) },
  max: { apply: (schema, [max]) => void (schema.maximum = Number(max)) },
  arrayMaxSize: { apply: (schema, [max]) => void (schema.maxItems = Number(max)) },
  arrayMinSize: { apply: (schema, [min]) => void (schema.minItems = Number(min)) },
  arrayUnique: { apply: (schema) => void (schema.uniqueItems = true) },
  isISO31661Alpha2: {
    apply: (schema) => {
      schema.minLength = 2;
      schema.maxLength = 2;
    },
  },
  isCalendarDate: {
    apply: (schema) => {
      // Not `format: date-time`: a plain date (YYYY-MM-DD) is accepted too.
      delete schema.format;
      schema.pattern = DATE_OR_DATE_TIME.source;
      schema.maxLength = CALENDAR_DATE_MAX_LENGTH;
    },
  },
};

/** An enum; of integers (protocol versions, algorithm ids), also typed and ranged as integers. */
function enumOf(schema: Schema, values: readonly unknown[]): void {
  schema.enum = [...values];
  if (values.length > 0 && values.every((value) => Number.isInteger(value))) {
    const numbers = values as number[];
    schema.type = 'integer';
    schema.minimum = Math.min(...numbers);
    schema.maximum = Math.max(...numbers);
  }
}

function patternSource(pattern: unknown, modifiers: unknown): string {
  const regex = pattern instanceof RegExp ? pattern : new RegExp(String(pattern), typeof modifiers === 'string' ? modifiers : undefined);
  // JSON Schema patterns are ECMA-262 without flags: only the `u` flag keeps its meaning.
  if (regex.flags.replace('u', '') !== '') throw new Error(`pattern ${String(regex)} has flags JSON Schema cannot carry`);
  return regex.source;
}

interface PropertyValidation {
  readonly rules: { name: string; constraints: readonly unknown[]; each: boolean }[];
  /** @IsOptional: may be left out. */
  readonly optional: boolean;
  /** @ValidateIf: validated only under a condition the schema cannot state. */
  readonly conditional: boolean;
}

/** The validators of each property of `target`, its parents' included. */
export function propertyValidations(target: DtoClass): Map<string, PropertyValidation> {
  const byProperty = new Map<string, { rules: PropertyValidation['rules']; optional: boolean; conditional: boolean }>();
  for (const meta of getMetadataStorage().getTargetValidationMetadatas(target, '', true, false)) {
    const entry = byProperty.get(meta.propertyName) ?? { rules: [], optional: false, conditional: false };
    byProperty.set(meta.propertyName, entry);
    if (meta.type === 'conditionalValidation') {
      if (meta.name === 'isOptional') entry.optional = true;
      else entry.conditional = true;
    } else if (meta.type === 'customValidation' && meta.name !== undefined) {
      entry.rules.push({ name: meta.name, constraints: meta.constraints ?? [], each: meta.each === true });
    }
  }
  return byProperty;
}

/** Writes a property's validators into its schema (or its items' schema, for `each`). Returns the gaps. */
function applyRules(where: string, schema: Schema, validation: PropertyValidation): string[] {
  const gaps: string[] = [];
  for (const rule of validation.rules) {
    const known = RULES[rule.name];
    if (known === undefined) {
      gaps.push(`${where}: validator "${rule.name}" has no OpenAPI rule (src/common/openapi/validation-schema.ts)`);
      continue;
    }
    const target = rule.each ? (schema.items as Schema | undefined) : schema;
    if (target === undefined || '$ref' in target) {
      if (!['isObject', 'isDefined'].includes(rule.name)) gaps.push(`${where}: "${rule.name}" applies to items the schema does not describe`);
      continue;
    }
    try {
      known.apply(target, rule.constraints);
    } catch (error) {
      gaps.push(`${where}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  integerFormats(schema);
  if (schema.items !== undefined && !('$ref' in schema.items)) integerFormats(schema.items as Schema);
  return gaps;
}

/** OWASP asks integers for a format: int32 when the range fits, int64 otherwise. */
function integerFormats(schema: Schema): void {
  if (schema.type !== 'integer') return;
  const fits = (value: number | undefined): boolean => value !== undefined && Math.abs(value) <= INT32_MAX;
  schema.format = fits(schema.minimum) && fits(schema.maximum) ? 'int32' : 'int64';
}

/** Every class the document's schemas come from, by schema name: route DTOs and what they nest. */
export function modelClasses(routes: Iterable<DocumentedRoute>): { byName: Map<string, DtoClass>; requestSide: Set<DtoClass>; gaps: string[] } {
  const byName = new Map<string, DtoClass>();
  const requestSide = new Set<DtoClass>();
  const gaps: string[] = [];
  const visited = new Set<string>();
  const visit = (type: DtoClass, request: boolean): void => {
    const known = byName.get(type.name);
    if (known !== undefined && known !== type) {
      gaps.push(`two classes are named ${type.name}: their schemas collide`);
      return;
    }
    byName.set(type.name, type);
    if (request) requestSide.add(type);
    const key = `${String(request)}:${type.name}`;
    if (visited.has(key)) return;
    visited.add(key);
    for (const nested of nestedModels(type)) visit(nested, request);
  };
  for (const route of routes) {
    for (const type of [route.body, route.query, route.params]) if (type !== undefined) visit(type, true);
    const responses = (Reflect.getMetadata(DECORATORS.API_RESPONSE, route.handler) ?? {}) as Record<string, { type?: unknown }>;
    for (const response of Object.values(responses)) for (const type of modelsIn(response.type)) visit(type, false);
  }
  return { byName, requestSide, gaps };
}

function nestedModels(type: DtoClass): DtoClass[] {
  const keys = (Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES_ARRAY, type.prototype) ?? []) as string[];
  return keys.flatMap((key) => {
    const options = Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES, type.prototype, key.slice(1)) as { type?: unknown } | undefined;
    return modelsIn(options?.type);
  });
}

function isClass(value: unknown): value is DtoClass {
  return typeof value === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(value));
}

/** The classes a swagger `type` option names: a class, `[Class]`, or a lazy `() => Class`. */
function modelsIn(type: unknown): DtoClass[] {
  if (Array.isArray(type)) return type.flatMap(modelsIn);
  if (isClass(type)) return [type];
  if (typeof type === 'function' && !('prototype' in type)) return modelsIn((type as () => unknown)());
  return [];
}

/** Writes the validators into every component schema and operation parameter. Returns the gaps. */
export function declareValidation(document: OpenAPIObject, routes: Map<string, DocumentedRoute>): string[] {
  const { byName, requestSide, gaps } = modelClasses(routes.values());
  for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
    const type = byName.get(name);
    if (type === undefined || '$ref' in schema) continue;
    gaps.push(...declareClass(name, schema as Schema, type, requestSide.has(type)));
  }
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item as Record<string, { operationId?: string; parameters?: (ParameterObject | ReferenceObject)[] }>)) {
      const route = operation.operationId === undefined ? undefined : routes.get(operation.operationId);
      if (route === undefined) continue;
      for (const parameter of operation.parameters ?? []) {
        if ('$ref' in parameter || (parameter.in !== 'query' && parameter.in !== 'path')) continue;
        const type = parameter.in === 'query' ? route.query : route.params;
        const where = `${method.toUpperCase()} ${path} ${parameter.in} parameter ${parameter.name}`;
        const validation = type === undefined ? undefined : propertyValidations(type).get(parameter.name);
        if (validation === undefined || parameter.schema === undefined || '$ref' in parameter.schema) {
          gaps.push(`${where}: no validator checks it`);
          continue;
        }
        gaps.push(...applyRules(where, parameter.schema as Schema, validation));
        if (!validation.conditional && parameter.in === 'query' && (parameter.required === true) === validation.optional) {
          gaps.push(`${where}: required in the document ${String(parameter.required === true)}, @IsOptional ${String(validation.optional)}`);
        }
      }
      for (const [location, type] of [['query', route.query], ['path', route.params]] as const) {
        for (const property of type === undefined ? [] : propertyValidations(type).keys()) {
          if (!(operation.parameters ?? []).some((parameter) => !('$ref' in parameter) && parameter.in === location && parameter.name === property)) {
            gaps.push(`${method.toUpperCase()} ${path} ${location} parameter ${property}: validated but not in the document`);
          }
        }
      }
    }
  }
  return gaps;
}

function declareClass(name: string, schema: Schema, type: DtoClass, request: boolean): string[] {
  const gaps: string[] = [];
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const validations = propertyValidations(type);
  for (const [property, validation] of validations) {
    const where = `${name}.${property}`;
    const propertySchema = properties[property];
    if (propertySchema === undefined) {
      gaps.push(`${where}: validated but not in the document`);
      continue;
    }
    gaps.push(...applyRules(where, propertySchema, validation));
    const required = (schema.required ?? []).includes(property);
    if (request && !validation.conditional && required === validation.optional) {
      gaps.push(`${where}: required in the document ${String(required)}, @IsOptional ${String(validation.optional)}`);
    }
  }
  if (request) {
    // The pipe refuses what no validator names (forbidNonWhitelisted): the document must not offer it.
    for (const property of Object.keys(properties)) {
      if (!validations.has(property)) gaps.push(`${name}.${property}: documented, but the server refuses it as unknown`);
    }
  }
  return gaps;
}
