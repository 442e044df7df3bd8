/**
 * The JSON body parser, in front of everything else: Fastify's own (prototype poisoning
 * refused), then one walk of the parsed value that refuses nesting deeper than
 * MAX_JSON_DEPTH (class-transformer recurses once per level and overflows the stack on
 * a few KB of brackets) and any key or string that breaks the text rule (text-rules.ts).
 * The same rule is applied to query strings. Each refusal is a 400 naming the field,
 * before a DTO is built or a query runs.
 */
import type { FastifyInstance } from 'fastify';
import { ValidationFailedException } from './problem';
import { unacceptableText } from './text-rules';

/** Deeper than any body Egide takes (a rotation is 4 levels); generous for what comes. */
export const MAX_JSON_DEPTH = 32;

interface Pending {
  value: unknown;
  path: string;
  depth: number;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** The first field of `value` that breaks a rule, with why; iterative, so depth cannot overflow it. */
export function findUnacceptableField(value: unknown, rootPath = ''): { field: string; message: string } | undefined {
  const stack: Pending[] = [{ value, path: rootPath, depth: 0 }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { value: current, path, depth } = next;
    if (typeof current === 'string') {
      const why = unacceptableText(current);
      if (why !== undefined) return { field: path === '' ? 'body' : path, message: `${path === '' ? 'body' : path} ${why}` };
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= MAX_JSON_DEPTH) {
      const field = path === '' ? 'body' : path;
      return { field, message: `${field} is nested deeper than ${MAX_JSON_DEPTH} levels` };
    }
    const entries: [string, unknown][] = Array.isArray(current) ? current.map((item, index) => [String(index), item]) : Object.entries(current);
    for (const [key, item] of entries) {
      const why = unacceptableText(key);
      if (why !== undefined) return { field: path === '' ? 'body' : path, message: `a property name ${why}` };
      stack.push({ value: item, path: join(path, key), depth: depth + 1 });
    }
  }
  return undefined;
}

function refusal(found: { field: string; message: string }): ValidationFailedException {
  return new ValidationFailedException([{ field: found.field, messages: [found.message] }]);
}

export function registerJsonBodyParser(fastify: FastifyInstance): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  // JSON only: Fastify also parses text/plain by default, which then failed validation
  // (400) where any other type is refused (415).
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    // Fastify's parser answers through `done`; its return value carries nothing.
    void parseJson(request, typeof body === 'string' ? body : body.toString('utf8'), (error: Error | null, value?: unknown) => {
      if (error !== null) {
        done(error, undefined);
        return;
      }
      const found = findUnacceptableField(value);
      if (found !== undefined) done(refusal(found), undefined);
      else done(null, value);
    });
  });
  // Query strings and path parameters obey the same text rule (a NUL in a filter would
  // reach PostgreSQL).
  fastify.addHook('preValidation', (request, _reply, done) => {
    const found = findUnacceptableField(request.query) ?? findUnacceptableField(request.params);
    done(found === undefined ? undefined : refusal(found));
  });
}
