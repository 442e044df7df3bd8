/**
 * Mutations: each takes a valid draft and breaks one thing — a body value's type, a
 * property, a length, a nesting depth, a character, a key, an id, a query value, a
 * percent-encoding, a content type, the method, a header, the framing. Each says which
 * field it broke (so a validation error can be checked to name it) and, where the API
 * documents the answer (docs/api.md), which status it expects.
 */
import type { Draft } from './draft';
import type { FuzzOperation, Schema } from './operations';
import type { Prng } from './prng';
import { marker } from './schema-values';
import { BAD_PERCENT, DATE_EDGES, INVALID_UTF8, UNICODE_EDGES, cursorVariants, malformedIds, numberVariants, queryValueVariants } from './hostile-values';

export interface MutationContext {
  rng: Prng;
  operation: FuzzOperation;
  /** A valid access token of some member (for authorization-header variants). */
  someToken: string;
  /** Signed with the server's key, claims that are not ids. */
  forgedClaimsToken: string;
}

export interface MutationEffect {
  /** The variant, for grouping findings: `deep-nesting 2000`. */
  variant: string;
  /** Dotted path of the field broken (`revision.envelopes.0`); '' for the whole body; query parameter name. */
  field?: string;
  expect?: { statuses: number[]; why: string };
}

export interface Mutation {
  name: string;
  appliesTo(operation: FuzzOperation, draft: Draft): boolean;
  apply(draft: Draft, context: MutationContext): MutationEffect;
}

type Path = (string | number)[];

const dotted = (path: Path): string => path.join('.');

function nodesOf(value: unknown, path: Path = [], out: { path: Path; value: unknown }[] = []): { path: Path; value: unknown }[] {
  out.push({ path, value });
  if (Array.isArray(value)) value.forEach((item, index) => nodesOf(item, [...path, index], out));
  else if (typeof value === 'object' && value !== null) for (const [key, item] of Object.entries(value)) nodesOf(item, [...path, key], out);
  return out;
}

function setAt(draft: Draft, path: Path, replacement: unknown): void {
  if (draft.body.kind !== 'json') return;
  if (path.length === 0) {
    draft.body.value = replacement;
    return;
  }
  let node = draft.body.value as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  // defineProperty: a key named __proto__ must become an own property, not the prototype.
  Object.defineProperty(node, path[path.length - 1], { value: replacement, enumerable: true, writable: true, configurable: true });
}

function valueAt(draft: Draft, path: Path): unknown {
  let node: unknown = draft.body.kind === 'json' ? draft.body.value : undefined;
  for (const key of path) node = (node as Record<string | number, unknown> | undefined)?.[key];
  return node;
}

function schemaAt(root: Schema | undefined, path: Path): Schema {
  let schema = root ?? {};
  for (const key of path) schema = (typeof key === 'number' ? schema.items : schema.properties?.[key]) ?? {};
  return schema;
}

/** A spot in the body: any node, or (when `prefer` finds some) one of those. */
function spot(draft: Draft, rng: Prng, prefer?: (value: unknown) => boolean): Path {
  const nodes = draft.body.kind === 'json' ? nodesOf(draft.body.value) : [{ path: [] as Path, value: undefined }];
  const preferred = prefer === undefined ? [] : nodes.filter((node) => prefer(node.value));
  return rng.pick(preferred.length > 0 && rng.chance(0.8) ? preferred : nodes).path;
}

const objectNodes = (draft: Draft): Path[] =>
  draft.body.kind !== 'json'
    ? []
    : nodesOf(draft.body.value)
        .filter((node) => typeof node.value === 'object' && node.value !== null && !Array.isArray(node.value))
        .map((node) => node.path);

let slotCounter = 0;
/** A placeholder value whose serialisation is replaced by `raw` on the wire. */
function slot(draft: Draft, raw: string | Buffer): string {
  slotCounter += 1;
  const name = `FZSLOT${slotCounter}`;
  draft.slots.set(name, raw);
  return name;
}

const hasJsonBody = (operation: FuzzOperation, draft: Draft): boolean => operation.body !== undefined && draft.body.kind === 'json';
const takesBody = (operation: FuzzOperation): boolean => ['POST', 'PUT', 'PATCH'].includes(operation.method);
const pathParameters = (operation: FuzzOperation): string[] => operation.parameters.filter((p) => p.in === 'path').map((p) => p.name);
const queryParameters = (operation: FuzzOperation) => operation.parameters.filter((p) => p.in === 'query');

function bodyMutation(name: string, apply: (draft: Draft, context: MutationContext) => MutationEffect): Mutation {
  return { name, appliesTo: hasJsonBody, apply };
}

function otherTypeThan(value: unknown, rng: Prng): unknown {
  const candidates: unknown[] = [0, -1, 1.5, true, false, 'FZwrongtype', '', '1', 'true', [], [1], {}, { a: 1 }];
  return rng.pick(candidates.filter((candidate) => typeof candidate !== typeof value || Array.isArray(candidate) !== Array.isArray(value)));
}

export const MUTATIONS: readonly Mutation[] = [
  bodyMutation('wrong-type', (draft, { rng }) => {
    const path = spot(draft, rng);
    setAt(draft, path, otherTypeThan(valueAt(draft, path), rng));
    return { variant: 'wrong-type', field: dotted(path) };
  }),
  {
    name: 'missing-property',
    appliesTo: (operation, draft) => hasJsonBody(operation, draft) && objectNodes(draft).some((path) => Object.keys(valueAt(draft, path) as object).length > 0),
    apply: (draft, { rng, operation }) => {
      const path = rng.pick(objectNodes(draft).filter((candidate) => Object.keys(valueAt(draft, candidate) as object).length > 0));
      const node = valueAt(draft, path) as Record<string, unknown>;
      const required = new Set(schemaAt(operation.body, path).required ?? []);
      const keys = Object.keys(node);
      const key = rng.pick(keys.some((k) => required.has(k)) ? keys.filter((k) => required.has(k)) : keys);
      delete node[key];
      // Leaving out an optional property may well be valid: only a required one must be named.
      return required.has(key) ? { variant: 'required', field: dotted([...path, key]) } : { variant: 'optional' };
    },
  },
  {
    name: 'extra-property',
    appliesTo: (operation, draft) => hasJsonBody(operation, draft) && objectNodes(draft).length > 0,
    apply: (draft, { rng }) => {
      const path = rng.pick(objectNodes(draft));
      const node = valueAt(draft, path) as Record<string, unknown>;
      if (rng.chance(0.1)) {
        // Each unknown property is an error of its own: many at once, each to be refused.
        for (let i = 0; i < 2000; i += 1) setAt(draft, [...path, `${marker(rng)}${i}`], i);
        return { variant: '2,000 unknown keys', field: dotted(path) };
      }
      const key = rng.pick([marker(rng), 'isAdmin', 'role', 'id', 'userId', 'createdBy', 'embassyId', 'status', 'version', 'scopeId']);
      if (key in node) return { variant: 'existing key' };
      setAt(draft, [...path, key], rng.pick([true, 'ADMIN', 1, marker(rng), { a: 1 }]));
      return { variant: /^FZ/.test(key) ? 'unknown key' : key, field: dotted([...path, key]) };
    },
  },
  bodyMutation('null', (draft, { rng, operation }) => {
    const path = spot(draft, rng);
    const current = valueAt(draft, path);
    setAt(draft, path, null);
    // null for an optional scalar is "left out" (class-validator); for the rest it is wrong.
    const breaks = path.length === 0 || isRequired(operation, path) || (typeof current === 'object' && current !== null);
    return { variant: path.length === 0 ? 'null body' : 'null value', ...(breaks ? { field: dotted(path) } : {}) };
  }),
  {
    name: 'null-everywhere',
    appliesTo: (operation, draft) => hasJsonBody(operation, draft) && objectNodes(draft).length > 0,
    apply: (draft) => {
      for (const path of objectNodes(draft)) {
        const node = valueAt(draft, path) as Record<string, unknown>;
        for (const key of Object.keys(node)) if (typeof node[key] !== 'object' || node[key] === null) node[key] = null;
      }
      return { variant: 'every leaf null' };
    },
  },
  bodyMutation('oversize-string', (draft, { rng, operation }) => {
    const path = spot(draft, rng, (value) => typeof value === 'string');
    const length = rng.pick([256, 1025, 10_000, 100_000, 1_100_000]);
    const maxLength = schemaAt(operation.body, path).maxLength;
    setAt(draft, path, marker(rng) + 'x'.repeat(length));
    return {
      variant: `${length} characters`,
      ...(maxLength !== undefined && length > maxLength ? { field: dotted(path) } : {}),
      ...(length > 1_048_576 ? { expect: { statuses: [413], why: 'a body over 1 MiB is 413 (docs/api.md)' } } : {}),
    };
  }),
  bodyMutation('oversize-array', (draft, { rng, operation }) => {
    const path = spot(draft, rng, Array.isArray);
    const current = valueAt(draft, path);
    const item = Array.isArray(current) && current.length > 0 ? current[0] : (current ?? 'x');
    const count = rng.pick([17, 101, 1001, 50_000]);
    const maxItems = schemaAt(operation.body, path).maxItems;
    setAt(draft, path, Array.from({ length: count }, () => item));
    return { variant: `${count} items`, ...(maxItems !== undefined && count > maxItems ? { field: dotted(path) } : {}) };
  }),
  bodyMutation('oversize-number', (draft, { rng, operation }) => {
    const path = spot(draft, rng, (value) => typeof value === 'number');
    const [label, text] = rng.pick(numberVariants());
    const schema = schemaAt(operation.body, path);
    const value = Number(text);
    setAt(draft, path, slot(draft, text));
    // Only a number outside what the schema declares must be refused by name.
    const breaks =
      (schema.type !== 'number' && schema.type !== 'integer') ||
      !Number.isSafeInteger(value) ||
      value < (schema.minimum ?? -Infinity) ||
      value > (schema.maximum ?? Infinity);
    return { variant: label, ...(breaks ? { field: dotted(path) } : {}) };
  }),
  bodyMutation('deep-nesting', (draft, { rng }) => {
    const path = spot(draft, rng);
    const depth = rng.pick([31, 33, 64, 2000, 100_000]);
    const asObjects = rng.chance(0.5);
    const raw = asObjects ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}${']'.repeat(depth)}`;
    setAt(draft, path, slot(draft, raw));
    return { variant: `${depth} ${asObjects ? 'objects' : 'arrays'}`, field: dotted(path) };
  }),
  bodyMutation('unicode', (draft, { rng }) => {
    const path = spot(draft, rng, (value) => typeof value === 'string');
    const [label, text] = rng.pick(UNICODE_EDGES);
    if (rng.chance(0.2) && objectNodes(draft).length > 0) {
      const parent = rng.pick(objectNodes(draft));
      const key = `${marker(rng)}${text}`;
      setAt(draft, [...parent, key], 1);
      return { variant: `${label} in a key`, field: TEXT_RULE_BREAKERS.has(label) ? dotted(parent) : dotted([...parent, key]) };
    }
    const current = valueAt(draft, path);
    setAt(draft, path, typeof current === 'string' && rng.chance(0.5) ? `${current}${text}` : `${marker(rng)}${text}`);
    // NUL and lone surrogates break the one text rule; the others may be valid text.
    return { variant: label, ...(TEXT_RULE_BREAKERS.has(label) ? { field: dotted(path) } : {}) };
  }),
  bodyMutation('invalid-utf8', (draft, { rng }) => {
    const path = spot(draft, rng, (value) => typeof value === 'string');
    const [label, bytes] = rng.pick(INVALID_UTF8);
    setAt(draft, path, slot(draft, Buffer.concat([Buffer.from(`"${marker(rng)}`), Buffer.from(bytes), Buffer.from('"')])));
    // Decoded as U+FFFD: text like any other, refused or not by the field's own rules.
    return { variant: label };
  }),
  {
    name: 'prototype-pollution',
    appliesTo: (operation, draft) => hasJsonBody(operation, draft) && objectNodes(draft).length > 0,
    apply: (draft, { rng }) => {
      const path = rng.pick(objectNodes(draft));
      const [label, key, value] = rng.pick<[string, string, unknown]>([
        ['__proto__ object', '__proto__', { isAdmin: true, role: 'ADMIN' }],
        ['__proto__ null', '__proto__', null],
        ['constructor.prototype', 'constructor', { prototype: { isAdmin: true } }],
        ['constructor string', 'constructor', 'x'],
        ['prototype', 'prototype', { isAdmin: true }],
        ['toString', 'toString', 'x'],
        ['hasOwnProperty', 'hasOwnProperty', 1],
      ]);
      setAt(draft, [...path, key], value);
      return { variant: label, field: dotted([...path, key]) };
    },
  },
  {
    name: 'duplicate-key',
    appliesTo: (operation, draft) => hasJsonBody(operation, draft) && objectNodes(draft).some((path) => Object.keys(valueAt(draft, path) as object).length > 0),
    apply: (draft, { rng }) => {
      const path = rng.pick(objectNodes(draft).filter((candidate) => Object.keys(valueAt(draft, candidate) as object).length > 0));
      const node = valueAt(draft, path) as Record<string, unknown>;
      const key = rng.pick(Object.keys(node));
      const bad = JSON.stringify(otherTypeThan(node[key], rng));
      const own = JSON.stringify(node).slice(1, -1);
      const badFirst = rng.chance(0.5);
      const raw = badFirst ? `{${JSON.stringify(key)}:${bad},${own}}` : `{${own},${JSON.stringify(key)}:${bad}}`;
      setAt(draft, path, slot(draft, raw));
      return { variant: badFirst ? 'bad value first' : 'bad value last', field: dotted([...path, key]) };
    },
  },
  {
    name: 'date',
    appliesTo: (operation, draft) =>
      (hasJsonBody(operation, draft) && dateSpots(operation, draft).length > 0) ||
      queryParameters(operation).some((p) => p.schema.format === 'date-time' || p.schema.format === 'date'),
    apply: (draft, { rng, operation }) => {
      const date = rng.pick(DATE_EDGES);
      const bodySpots = hasJsonBody(operation, draft) ? dateSpots(operation, draft) : [];
      const queryDates = queryParameters(operation).filter((p) => p.schema.format === 'date-time' || p.schema.format === 'date');
      if (bodySpots.length > 0 && (queryDates.length === 0 || rng.chance(0.5))) {
        const path = rng.pick(bodySpots);
        setAt(draft, path, date);
        return { variant: date, field: dotted(path) };
      }
      const parameter = rng.pick(queryDates);
      setQuery(draft, parameter.name, encodeURIComponent(date));
      return { variant: date, field: parameter.name };
    },
  },
  {
    name: 'malformed-id',
    appliesTo: (operation) => pathParameters(operation).length > 0,
    apply: (draft, { rng, operation }) => {
      const name = rng.pick(pathParameters(operation));
      const [label, text] = rng.pick(malformedIds(rng));
      draft.pathParams[name] = text;
      return { variant: label, field: name };
    },
  },
  {
    name: 'bad-percent-encoding',
    appliesTo: () => true,
    apply: (draft, { rng, operation }) => {
      const bad = rng.pick(BAD_PERCENT);
      const where = rng.pick(['path', 'static segment', 'query value', 'query name']);
      if (where === 'query value' || where === 'query name') {
        const name = queryParameters(operation).length > 0 ? rng.pick(queryParameters(operation)).name : 'limit';
        if (where === 'query value') setQuery(draft, name, `a${bad}`);
        else draft.query.push([`${name}${bad}`, '1']);
        return { variant: `${where} ${bad}` };
      }
      const path = operationPath(operation, draft);
      const segments = path.split('/');
      const index = rng.int(1, segments.length - 1);
      segments[index] = where === 'static segment' ? encodeOneCharacter(segments[index], rng) : `${segments[index]}${bad}`;
      draft.rawPath = segments.join('/');
      return { variant: where === 'static segment' ? 'a valid %XX of a plain character' : `path ${bad}` };
    },
  },
  {
    name: 'long-path',
    appliesTo: () => true,
    apply: (draft, { rng, operation }) => {
      const length = rng.pick([101, 1000, 8000, 17_000, 70_000]);
      const names = pathParameters(operation);
      if (names.length > 0 && rng.chance(0.6)) {
        draft.pathParams[rng.pick(names)] = 'a'.repeat(length);
        return { variant: `parameter of ${length}` };
      }
      draft.rawPath = `${operationPath(operation, draft)}${'/a'.repeat(Math.ceil(length / 2))}`;
      return { variant: `path of ${length}` };
    },
  },
  {
    name: 'path-shape',
    appliesTo: () => true,
    apply: (draft, { rng, operation }) => {
      const path = operationPath(operation, draft);
      const [label, shaped] = rng.pick<[string, string]>([
        ['trailing slash', `${path}/`],
        ['double slash', path.replace('/api/v1/', '/api/v1//')],
        ['upper case', path.toUpperCase()],
        ['dot segment', path.replace('/api/v1/', '/api/v1/./')],
        ['traversal', `${path}/../../admin/users`],
        ['encoded traversal', `${path}/%2e%2e/%2e%2e/admin/users`],
        ['encoded slash', path.replace(/\/([^/]*)$/, '%2F$1')],
        ['backslash', path.replace(/\//g, '\\')],
        ['matrix parameter', `${path};${marker(rng)}=1`],
        ['fragment', `${path}#${marker(rng)}`],
        ['absolute form', `http://127.0.0.1${path}`],
        ['asterisk', '*'],
        ['no leading slash', path.slice(1)],
        ['raw unicode', `${path}/\u00e9\u202e`],
        ['raw space', `${path} x`],
      ]);
      draft.rawPath = shaped;
      return { variant: label };
    },
  },
  {
    name: 'format-edge',
    appliesTo: (operation, draft) => hasJsonBody(operation, draft) && formatSpots(operation, draft).length > 0,
    apply: (draft, { rng, operation }) => {
      const { path, kind } = rng.pick(formatSpots(operation, draft));
      const uuid = rng.uuid();
      const [label, value] = rng.pick<[string, string]>(
        kind === 'email'
          ? [
              ['no domain dot', 'a@b'],
              ['address literal', 'a@[127.0.0.1]'],
              ['quoted local part', '"a b"@example.org'],
              ['unicode', '\u00fc@ex\u00e4mple.org'],
              ['punycode', 'a@xn--exmple-cua.org'],
              ['65-character local part', `${'a'.repeat(65)}@example.org`],
              ['300 characters', `${'a'.repeat(64)}@${'b'.repeat(230)}.org`],
              ['double dot', 'a..b@example.org'],
              ['two at signs', 'a@b@example.org'],
              ['trailing dot', 'a@example.org.'],
              ['spaces', ' a@example.org '],
              ['upper case', 'A@EXAMPLE.ORG'],
              ['comment', 'a(comment)@example.org'],
              ['NUL', 'a\u0000@example.org'],
              ['lone surrogate', 'a\uD800@example.org'],
            ]
          : [
              ['upper case', uuid.toUpperCase()],
              ['nil', '00000000-0000-0000-0000-000000000000'],
              ['version 1', `${uuid.slice(0, 14)}1${uuid.slice(15)}`],
              ['no dashes', uuid.replace(/-/g, '')],
              ['braces', `{${uuid}}`],
              ['urn', `urn:uuid:${uuid}`],
              ['one short', uuid.slice(0, -1)],
              ['non-hex', `${uuid.slice(0, -1)}g`],
            ],
      );
      setAt(draft, path, value);
      // An upper-case, nil or version-1 UUID is a UUID: refused, if at all, by a rule about another field.
      const breaks = kind === 'email' || !['upper case', 'nil', 'version 1'].includes(label);
      return { variant: `${kind} ${label}`, ...(breaks ? { field: dotted(path) } : {}) };
    },
  },
  {
    name: 'malformed-query',
    appliesTo: () => true,
    apply: (draft, { rng, operation }) => {
      const documented = queryParameters(operation);
      const structural = rng.chance(documented.length === 0 ? 1 : 0.3);
      if (structural) {
        const name = documented.length > 0 ? rng.pick(documented).name : 'limit';
        const [label, pairs] = rng.pick<[string, [string, string | undefined][]]>([
          ['repeated', [[name, '1'], [name, '2']]],
          ['brackets', [[`${name}[]`, '1']]],
          ['object', [[`${name}[a][b]`, '1']]],
          ['no value', [[name, undefined]]],
          ['unknown parameter', [[marker(rng), '1']]],
          ['__proto__', [['__proto__[isAdmin]', 'true']]],
          ['constructor.prototype', [['constructor[prototype][isAdmin]', 'true']]],
          ['1,000 parameters', Array.from({ length: 1000 }, (_, i): [string, string] => [`p${i}`, '1'])],
          ['500 brackets deep', [[`${name}${'[a]'.repeat(500)}`, '1']]],
          ['unicode name', [[`${marker(rng)}%E2%80%AE%F0%9F%98%80`, '1']]],
        ]);
        draft.query.push(...pairs);
        return { variant: label, field: decoded(pairs[0][0]) };
      }
      const parameter = rng.pick(documented);
      const [label, value] = rng.pick(parameter.name === 'cursor' ? cursorVariants(rng) : queryValueVariants(parameter.schema, rng));
      setQuery(draft, parameter.name, value);
      return { variant: `${parameter.name} ${label}`, field: parameter.name };
    },
  },
  {
    name: 'content-type',
    appliesTo: (operation) => takesBody(operation),
    apply: (draft, { rng, operation }) => {
      const json = draft.body.kind === 'json' ? JSON.stringify(draft.body.value) : '{}';
      const unsupported = { statuses: [415], why: 'a body that is not application/json is 415 (docs/api.md)' };
      const [label, contentType, text, expected] = rng.pick<[string, string | undefined, string, boolean]>([
        ['text/plain', 'text/plain', json, true],
        ['text/plain; charset=utf-8', 'text/plain; charset=utf-8', json, true],
        ['form', 'application/x-www-form-urlencoded', 'a=1&b=2', true],
        ['multipart', 'multipart/form-data; boundary=fz', '--fz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--fz--\r\n', true],
        ['none', undefined, json, true],
        ['xml', 'application/xml', '<a/>', true],
        ['octet-stream', 'application/octet-stream', json, true],
        ['charset utf-16', 'application/json; charset=utf-16', json, false],
        ['upper case', 'APPLICATION/JSON', json, false],
        ['vendor json', 'application/vnd.api+json', json, false],
        ['wildcard', '*/*', json, false],
        ['empty', '', json, false],
        ['two types', 'application/json, text/plain', json, false],
      ]);
      draft.body = { kind: 'text', text };
      draft.slots.clear();
      if (contentType === undefined) draft.omitContentType = true;
      else draft.headers['content-type'] = contentType;
      return { variant: label, ...(expected && operation.body !== undefined ? { expect: unsupported } : {}) };
    },
  },
  {
    name: 'body-shape',
    appliesTo: (operation) => takesBody(operation),
    apply: (draft, { rng }) => {
      const [label, text] = rng.pick<[string, string]>([
        ['empty', ''],
        ['whitespace', '  \n'],
        ['null', 'null'],
        ['array', '[]'],
        ['string', '"text"'],
        ['number', '0'],
        ['true', 'true'],
        ['unclosed', '{'],
        ['truncated', '{"a":1'],
        ['BOM', '\uFEFF{}'],
        ['trailing garbage', '{}garbage'],
        ['two documents', '{"a":1}{"b":2}'],
        ['single quotes', "{'a':1}"],
        ['comment', '{/* x */}'],
        ['NaN', '{"a":NaN}'],
        ['trailing comma', '{"a":1,}'],
      ]);
      draft.body = { kind: 'text', text };
      draft.slots.clear();
      draft.headers['content-type'] = 'application/json';
      return { variant: label };
    },
  },
  {
    name: 'method',
    appliesTo: () => true,
    apply: (draft, { rng, operation }) => {
      const method = rng.pick(['PROPFIND', 'FOO', 'PURGE', 'LOCK', 'M-SEARCH', 'BREW', 'OPTIONS', 'PUT', 'DELETE', 'PATCH', 'POST', 'GET', 'TRACE', 'SEARCH', 'QUERY', 'head', 'get'].filter((m) => m !== operation.method));
      draft.method = method;
      return { variant: method };
    },
  },
  {
    name: 'authorization',
    appliesTo: () => true,
    apply: (draft, { rng, someToken, forgedClaimsToken }) => {
      const token = draft.headers.authorization?.replace(/^Bearer /, '') ?? someToken;
      const [label, value] = rng.pick<[string, string | undefined]>([
        ['scheme only', 'Bearer'],
        ['empty token', 'Bearer '],
        ['marker token', `Bearer ${marker(rng)}`],
        ['basic', 'Basic YWRtaW46YWRtaW4='],
        ['lower-case scheme', `bearer ${token}`],
        ['no scheme', token],
        ['token plus one', `Bearer ${token}x`],
        ['two tokens', `Bearer ${token} ${token}`],
        ['8,000 characters', `Bearer ${'a'.repeat(8000)}`],
        ['alg none', 'Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4IiwidHlwIjoiYWNjZXNzIn0.'],
        ['tampered payload', `Bearer ${tamper(token)}`],
        ['signed, claims not ids', `Bearer ${forgedClaimsToken}`],
        ['latin-1', 'Bearer \u00ff\u00fe'],
        ['removed', undefined],
      ]);
      if (value === undefined) delete draft.headers.authorization;
      else draft.headers.authorization = value;
      return { variant: label };
    },
  },
  {
    name: 'header',
    appliesTo: () => true,
    apply: (draft, { rng }) => {
      const [label, name, value] = rng.pick<[string, string, string]>([
        ['idempotency-key empty', 'idempotency-key', ''],
        ['idempotency-key 300', 'idempotency-key', 'a'.repeat(300)],
        ['idempotency-key latin-1', 'idempotency-key', '\u00e9t\u00e9'],
        ['idempotency-key marker', 'idempotency-key', marker(rng)],
        ['request id long', 'x-request-id', 'a'.repeat(500)],
        ['request id marker', 'x-request-id', `${marker(rng)} <script>`],
        ['accept html', 'accept', 'text/html'],
        ['accept none', 'accept', 'application/xml'],
        ['gzip', 'content-encoding', 'gzip'],
        ['if-match', 'if-match', marker(rng)],
        ['x-forwarded-for', 'x-forwarded-for', '203.0.113.7, 10.0.0.1'],
        ['expect', 'expect', '100-continue'],
        ['8 KB header', 'x-fuzz', 'a'.repeat(8000)],
      ]);
      draft.headers[name] = value;
      return { variant: label };
    },
  },
  {
    name: 'framing',
    appliesTo: () => true,
    apply: (draft, { rng }) => {
      const body = draft.body.kind === 'none' ? '{}' : undefined;
      if (body !== undefined) draft.body = { kind: 'text', text: body };
      const length = (draft.body.kind === 'text' ? Buffer.byteLength(draft.body.text) : 2).toString();
      const [label, lines] = rng.pick<[string, string[]]>([
        ['length and chunked', [`content-length: ${length}`, 'transfer-encoding: chunked']],
        ['two lengths', [`content-length: ${length}`, `content-length: ${Number(length) + 1}`]],
        ['negative length', ['content-length: -1']],
        ['word length', ['content-length: abc']],
        ['gzip then chunked', ['transfer-encoding: gzip, chunked']],
        ['space before colon', [`content-length : ${length}`]],
        ['line without colon', [`content-length: ${length}`, 'x-fuzz']],
        ['obsolete fold', [`content-length: ${length}`, 'x-fuzz: a', ' b']],
        ['NUL in a header', [`content-length: ${length}`, 'x-fuzz: a\u0000b']],
        ['two content types', [`content-length: ${length}`, 'content-type: text/plain']],
        ['two authorizations', [`content-length: ${length}`, 'authorization: Bearer x']],
        ['two hosts', [`content-length: ${length}`, 'host: elsewhere.example']],
      ]);
      draft.framing = lines;
      return { variant: label };
    },
  },
];

const TEXT_RULE_BREAKERS = new Set(['NUL', 'lone high surrogate', 'lone low surrogate', 'reversed pair']);

function isRequired(operation: FuzzOperation, path: Path): boolean {
  const parent = schemaAt(operation.body, path.slice(0, -1));
  const key = path[path.length - 1];
  return typeof key === 'number' || (parent.required ?? []).includes(key);
}

function dateSpots(operation: FuzzOperation, draft: Draft): Path[] {
  if (draft.body.kind !== 'json') return [];
  return nodesOf(draft.body.value)
    .filter((node) => typeof node.value === 'string' || node.value === null)
    .map((node) => node.path)
    .filter((path) => {
      const format = schemaAt(operation.body, path).format;
      return format === 'date-time' || format === 'date';
    });
}

/** String leaves of a known format: e-mail addresses (by name; the DTOs give them no format) and UUIDs. */
function formatSpots(operation: FuzzOperation, draft: Draft): { path: Path; kind: 'email' | 'uuid' }[] {
  if (draft.body.kind !== 'json') return [];
  return nodesOf(draft.body.value)
    .filter((node) => typeof node.value === 'string' && node.path.length > 0)
    .flatMap((node): { path: Path; kind: 'email' | 'uuid' }[] => {
      const key = String(node.path[node.path.length - 1]);
      if (/email/i.test(key)) return [{ path: node.path, kind: 'email' }];
      return schemaAt(operation.body, node.path).format === 'uuid' ? [{ path: node.path, kind: 'uuid' }] : [];
    });
}

/** A query name as the server reads it (percent-decoded), for naming checks. */
function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function setQuery(draft: Draft, name: string, value: string): void {
  draft.query = draft.query.filter(([key]) => key !== name);
  draft.query.push([name, value]);
}

function operationPath(operation: FuzzOperation, draft: Draft): string {
  return draft.rawPath ?? operation.template.replace(/\{(\w+)\}/g, (_, name: string) => draft.pathParams[name] ?? 'missing');
}

/** `login` → `%6Cogin`: the same segment, percent-encoded; the route must not change. */
function encodeOneCharacter(segment: string, rng: Prng): string {
  const letters = [...segment].map((char, index) => ({ char, index })).filter(({ char }) => /[a-z]/i.test(char));
  if (letters.length === 0) return segment;
  const { char, index } = rng.pick(letters);
  return `${segment.slice(0, index)}%${char.charCodeAt(0).toString(16).toUpperCase()}${segment.slice(index + 1)}`;
}

/** The same signature over other claims: must be 401, never a cast error. */
function tamper(token: string): string {
  const [header, payload, signature] = token.split('.');
  if (signature === undefined) return `${token}.x`;
  let claims: Record<string, unknown> = {};
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    // Not a JWT: tamper with nothing but the shape.
  }
  return `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'not-a-uuid', ver: 1e300 })).toString('base64url')}.${signature}`;
}
