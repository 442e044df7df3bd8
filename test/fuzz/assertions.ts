/**
 * What every answer must satisfy, whatever was sent (docs/api.md, docs/testing.md):
 * no status ≥ 500; an error is application/problem+json with the standard members, its
 * status, and the request id of the X-Request-Id header; every response carries the
 * security headers; a validation error names the field that was broken; an error never
 * echoes the URL or a value it was sent, nor an exception's class name; a documented
 * status where the API promises one; a refused request writes nothing but the refusal
 * writes of write-ledger.ts.
 */
import { API_CONTENT_SECURITY_POLICY } from '../../src/common/http/security-headers';
import { visibleText } from '../../src/common/http/text-rules';
import type { WireRequest, WireResponse } from './draft';
import type { MutationEffect } from './mutations';
import { MARKER_PATTERN } from './schema-values';
import { isRefusalWrite, type Write } from './write-ledger';

/** docs/api.md's list; CSP is checked against the API's policy. */
const SECURITY_HEADERS: Record<string, string> = {
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'content-security-policy': API_CONTENT_SECURITY_POLICY,
};

const CLASS_NAME = /[A-Z][a-z]+Error|Exception/;

export interface Problem {
  type?: unknown;
  title?: unknown;
  status?: unknown;
  detail?: unknown;
  requestId?: unknown;
  errors?: unknown;
}

export interface Violation {
  kind: string;
  note?: string;
}

export function parseProblem(response: WireResponse): Problem | undefined {
  try {
    const parsed = JSON.parse(response.body) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Problem) : undefined;
  } catch {
    return undefined;
  }
}

/** The named fields of a validation problem. */
export function fieldsOf(problem: Problem | undefined): string[] {
  return Array.isArray(problem?.errors) ? problem.errors.map((error: { field?: unknown }) => (typeof error?.field === 'string' ? error.field : '')) : [];
}

/**
 * A field error names what was broken when it is the field, inside it, or one of its
 * parents — written as the server quotes client text (invisible characters as \u{…}).
 */
export function namesField(fields: readonly string[], broken: string): boolean {
  if (broken === '') return fields.length > 0;
  return [broken, visibleText(broken)].some((name) => namesPath(fields, name));
}

function namesPath(fields: readonly string[], broken: string): boolean {
  return fields.some(
    (field) =>
      field === broken ||
      field === 'body' ||
      field.startsWith(`${broken}.`) ||
      broken.startsWith(`${field}.`) ||
      // A very long name is shortened by the server: its beginning names it.
      (field.endsWith('…') && broken.startsWith(field.slice(0, -1))),
  );
}

export function checkAnswer(request: WireRequest, response: WireResponse, effect: MutationEffect, writes: readonly Write[]): Violation[] {
  const violations: Violation[] = [];
  const { status } = response;
  if (status >= 500) violations.push({ kind: 'status >= 500' });

  const missing = Object.entries(SECURITY_HEADERS)
    .filter(([name, value]) => response.headers[name] !== value)
    .map(([name]) => name);
  if (missing.length > 0) violations.push({ kind: 'security headers missing', note: missing.join(', ') });

  if (effect.expect !== undefined && !effect.expect.statuses.includes(status)) {
    violations.push({ kind: `expected ${effect.expect.statuses.join('/')}`, note: effect.expect.why });
  }

  if (status >= 400) {
    violations.push(...checkProblem(request, response, effect));
    const unexpected = writes.filter((write) => !isRefusalWrite(write));
    if (unexpected.length > 0) {
      violations.push({ kind: 'refused request wrote', note: unexpected.map((w) => `${w.operation} ${w.table}${w.columns === '' ? '' : ` (${w.columns})`} ×${w.rows}`).join('; ') });
    }
  }
  return violations;
}

function checkProblem(request: WireRequest, response: WireResponse, effect: MutationEffect): Violation[] {
  if (request.method.toUpperCase() === 'HEAD') return [];
  const violations: Violation[] = [];
  if (!/^application\/problem\+json/.test(response.headers['content-type'] ?? '')) {
    violations.push({ kind: 'not problem+json', note: `content-type: ${response.headers['content-type'] ?? 'none'}` });
  }
  const problem = parseProblem(response);
  const shaped =
    problem !== undefined &&
    typeof problem.type === 'string' &&
    typeof problem.title === 'string' &&
    typeof problem.detail === 'string' &&
    problem.status === response.status;
  if (!shaped) violations.push({ kind: 'problem body malformed' });
  const requestId = response.headers['x-request-id'];
  if (requestId === undefined || requestId === '' || problem?.requestId !== requestId) {
    violations.push({ kind: 'request id missing or different', note: `header ${requestId ?? 'none'}, body ${String(problem?.requestId)}` });
  }

  const messages = [problem?.detail, problem?.title, ...(Array.isArray(problem?.errors) ? problem.errors.flatMap((e: { messages?: unknown }) => (Array.isArray(e?.messages) ? e.messages : [])) : [])]
    .filter((text): text is string => typeof text === 'string');
  const className = messages.find((text) => CLASS_NAME.test(text));
  if (className !== undefined) violations.push({ kind: 'class name in detail', note: className.slice(0, 160) });

  const echoed = MARKER_PATTERN.exec(textBesidesFieldNames(response, problem));
  if (echoed !== null && requestCarries(request, echoed[0])) violations.push({ kind: 'echoes a sent value', note: echoed[0] });
  const path = request.target.split('?', 1)[0];
  if (path.length > 8 && response.body.includes(path)) violations.push({ kind: 'echoes the URL' });

  if (problem?.type === 'urn:egide:problem:validation-failed') {
    const fields = fieldsOf(problem);
    if (fields.length === 0 || fields.some((field) => field === '')) violations.push({ kind: 'validation error names no field' });
    else if (effect.field !== undefined && !namesField(fields, effect.field)) {
      violations.push({ kind: 'validation error names another field', note: `broke ${effect.field || 'the body'}, named ${fields.join(', ')}` });
    }
  }
  return violations;
}

/**
 * The error's text with the field names taken out: naming a property the client sent
 * (even an unknown one) is naming a field, not echoing a value.
 */
function textBesidesFieldNames(response: WireResponse, problem: Problem | undefined): string {
  if (problem === undefined) return response.body;
  // A message names the property alone ("property x should not exist"), the field its whole path.
  const fields = fieldsOf(problem)
    .flatMap((field) => [field, field.split('.').pop() ?? ''])
    .filter((field) => field !== '')
    .sort((a, b) => b.length - a.length);
  const strings: string[] = [];
  const collect = (value: unknown, key?: string): void => {
    if (typeof value === 'string') {
      if (key !== 'field') strings.push(fields.reduce((text, field) => text.split(field).join(''), value));
    } else if (Array.isArray(value)) value.forEach((item) => collect(item));
    else if (typeof value === 'object' && value !== null) for (const [name, item] of Object.entries(value)) collect(item, name);
  };
  collect(problem);
  return strings.join('\n');
}

function requestCarries(request: WireRequest, text: string): boolean {
  return request.target.includes(text) || Object.values(request.headers).some((value) => value.includes(text)) || (request.body?.includes(text) ?? false);
}
