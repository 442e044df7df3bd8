/**
 * The fuzzer's pure parts, without a server: one seed gives one sequence; the generic
 * generator's values are valid for their schema (patterns the DTOs use included); every
 * mutation applies to a nested body and yields bytes to send; a field error names what
 * was broken by path; the ledger's difference and its refusal exceptions.
 */
import { CASE_REFERENCE } from '../../src/contract/case-vocabulary';
import { emptyDraft, wireRequest } from './draft';
import { MUTATIONS } from './mutations';
import { namesField } from './assertions';
import type { FuzzOperation, Schema } from './operations';
import { Prng } from './prng';
import { textMatching, valueFor } from './schema-values';
import { WriteLedger, isRefusalWrite } from './write-ledger';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const body: Schema = {
  type: 'object',
  required: ['id', 'riskLevel', 'revision'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    riskLevel: { type: 'string', enum: ['LOW', 'HIGH'] },
    nextReviewAt: { type: 'string', format: 'date-time', nullable: true },
    revision: {
      type: 'object',
      required: ['version', 'envelopes'],
      properties: {
        version: { type: 'number', minimum: 1, maximum: 9 },
        envelopes: { type: 'array', minItems: 1, maxItems: 4, items: { type: 'object', required: ['field'], properties: { field: { type: 'string', pattern: '^[a-z_]{1,40}$' } } } },
      },
    },
  },
};

const operation: FuzzOperation = {
  key: 'patch /api/v1/things/{id}',
  method: 'PATCH',
  template: '/api/v1/things/{id}',
  parameters: [
    { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
    { name: 'cursor', in: 'query', required: false, schema: { type: 'string' } },
    { name: 'reviewDueBefore', in: 'query', required: false, schema: { type: 'string', format: 'date-time' } },
  ],
  body,
  public: false,
  access: undefined,
  documented: true,
};

it('replays one sequence per seed', () => {
  const run = (seed: number): string[] => {
    const rng = new Prng(seed);
    return Array.from({ length: 20 }, () => `${rng.int(0, 1000)} ${rng.uuid()} ${rng.text(5)}`);
  };
  expect(run(42)).toEqual(run(42));
  expect(run(42)).not.toEqual(run(43));
  const rng = new Prng(7);
  const ints = Array.from({ length: 1000 }, () => rng.int(3, 5));
  expect(new Set(ints)).toEqual(new Set([3, 4, 5]));
});

it('generates strings matching the patterns DTOs use, and gives up on what it cannot parse', () => {
  const rng = new Prng(1);
  for (const pattern of ['^[A-Z]{2}$', '^[A-Za-z0-9_-]{43}$', CASE_REFERENCE.source, '^\\d{6}$', '^(?:ab|cd)+x?$', '^[^\\s,]{3,8}$']) {
    for (let i = 0; i < 20; i += 1) {
      const text = textMatching(pattern, rng);
      expect({ pattern, matches: text !== undefined && new RegExp(pattern, 'u').test(text) }).toEqual({ pattern, matches: true });
    }
  }
  expect(textMatching('^(?=a)a$', rng)).toBeUndefined();
});

it('generates values valid for their schema', () => {
  const rng = new Prng(2);
  for (let i = 0; i < 50; i += 1) {
    const value = valueFor(body, rng) as { id: string; riskLevel: string; revision: { version: number; envelopes: { field: string }[] } };
    expect(value.id).toMatch(UUID);
    expect(['LOW', 'HIGH']).toContain(value.riskLevel);
    expect(value.revision.version).toBeGreaterThanOrEqual(1);
    expect(value.revision.version).toBeLessThanOrEqual(9);
    expect(value.revision.envelopes.length).toBeGreaterThanOrEqual(1);
    expect(value.revision.envelopes.every((envelope) => /^[a-z_]{1,40}$/.test(envelope.field))).toBe(true);
  }
});

it('applies every mutation that applies to a nested body, and each yields a request to send', () => {
  const rng = new Prng(3);
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i += 1) {
    const draft = { ...emptyDraft(operation), pathParams: { id: rng.uuid() }, body: { kind: 'json' as const, value: valueFor(body, rng) } };
    const mutation = rng.pick(MUTATIONS.filter((candidate) => candidate.appliesTo(operation, draft)));
    const effect = mutation.apply(draft, { rng, operation, someToken: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln', forgedClaimsToken: 'x.y.z' });
    const request = wireRequest(operation, draft);
    expect(request.target.length).toBeGreaterThan(0);
    expect(request.method).toMatch(/^[A-Za-z-]+$/);
    expect(typeof effect.variant).toBe('string');
    seen.add(mutation.name);
  }
  expect([...seen].sort()).toEqual(MUTATIONS.map((mutation) => mutation.name).sort());
});

it('splices raw JSON into the body: 2,000 levels deep, duplicate keys, 1e400', () => {
  const rng = new Prng(4);
  const texts = new Set<string>();
  for (let i = 0; i < 400; i += 1) {
    for (const name of ['deep-nesting', 'duplicate-key', 'oversize-number']) {
      const draft = { ...emptyDraft(operation), pathParams: { id: rng.uuid() }, body: { kind: 'json' as const, value: valueFor(body, rng) } };
      const effect = MUTATIONS.find((mutation) => mutation.name === name)!.apply(draft, { rng, operation, someToken: '', forgedClaimsToken: '' });
      const text = wireRequest(operation, draft).body?.toString('utf8') ?? '';
      expect(text).not.toContain('FZSLOT');
      if (name === 'deep-nesting' && effect.variant === '2000 arrays') texts.add(text.includes('['.repeat(2000)) ? 'deep' : 'flat');
      if (name === 'oversize-number' && effect.variant === '1e400') texts.add(text.includes('1e400') ? '1e400' : 'lost');
    }
  }
  expect(texts).toEqual(new Set(['deep', '1e400']));
});

it('takes a field error to name the broken field when it is the field, inside it or one of its parents', () => {
  expect(namesField(['revision.envelopes.0.field'], 'revision.envelopes')).toBe(true);
  expect(namesField(['revision'], 'revision.envelopes.0')).toBe(true);
  expect(namesField(['body'], 'x.y')).toBe(true);
  expect(namesField(['riskLevel'], 'revision')).toBe(false);
  expect(namesField(['revisions'], 'revision')).toBe(false);
  expect(namesField(['limit[a][a]…'], 'limit[a][a][a][a]')).toBe(true);
});

it('tells the writes of a refusal that are allowed from those that are not', () => {
  const before = new Map([['audit_events INSERT ', 3]]);
  const after = new Map([
    ['audit_events INSERT ', 4],
    ['users UPDATE failed_attempts,locked_until', 1],
    ['users UPDATE role', 1],
  ]);
  const writes = WriteLedger.diff(before, after);
  expect(writes.map((write) => [write.table, write.operation, write.columns, write.rows, isRefusalWrite(write)])).toEqual([
    ['audit_events', 'INSERT', '', 1, true],
    ['users', 'UPDATE', 'failed_attempts,locked_until', 1, true],
    ['users', 'UPDATE', 'role', 1, false],
  ]);
});
