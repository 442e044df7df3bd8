/**
 * Bad input on every case route: wrong types, oversize strings and arrays, unknown enums,
 * malformed envelopes and ids, unknown fields, and (fast-check) arbitrary JSON in place
 * of each field. Every answer is a 4xx application/problem+json naming what is wrong,
 * never a 500; the cases involved stay as they were.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { createCase, sealNewCase } from '../../src/client/case-flow';
import type { CaseSummaryResponse } from '../../src/cases/dto/case.response';
import { readyCrypto } from '../../src/crypto/protocol-hash';
import { startCastApp, type CastApp } from '../support/cast';
import { setUpEmbassyTeams, type EmbassyTeams } from '../support/teams';
import { newCase } from './case-factory';

let app: CastApp;
let teams: EmbassyTeams;
let existing: CaseSummaryResponse;

interface Route {
  name: string;
  method: 'POST' | 'PATCH';
  path: () => string;
  body: () => Promise<Record<string, unknown>>;
}

const ENVELOPE_CAP = 349_603;

beforeAll(async () => {
  await readyCrypto();
  app = await startCastApp();
  teams = await setUpEmbassyTeams(app);
  existing = await createCase(teams.sessions.contactA1, newCase('bad-input'));
});

afterAll(async () => {
  await app.close();
});

async function send(method: string, path: string, body: unknown, rawBody?: string): Promise<{ status: number; type: string; problem: Record<string, unknown> }> {
  const response = await app.request(path, {
    method,
    headers: { authorization: `Bearer ${teams.sessions.contactA1.currentRawAccessToken}`, 'content-type': 'application/json' },
    body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await response.text();
  return { status: response.status, type: response.headers.get('content-type') ?? '', problem: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

const routes: Route[] = [
  { name: 'create', method: 'POST', path: () => '/api/v1/cases', body: async () => ({ ...(await sealNewCase(teams.sessions.contactA1, newCase('bad'))) }) },
  { name: 'update', method: 'PATCH', path: () => `/api/v1/cases/${existing.id}`, body: () => Promise.resolve({ version: 999, riskLevel: 'LOW' }) },
  { name: 'status', method: 'POST', path: () => `/api/v1/cases/${existing.id}/status`, body: () => Promise.resolve({ version: 999, to: 'ASSESSING' }) },
  { name: 'assign', method: 'POST', path: () => `/api/v1/cases/${existing.id}/assign`, body: () => Promise.resolve({ version: 999, assigneeId: null }) },
  {
    name: 'event',
    method: 'POST',
    path: () => `/api/v1/cases/${existing.id}/events`,
    body: async () => {
      const sealed = await sealNewCase(teams.sessions.contactA1, newCase('bad-event'));
      return { id: randomUUID(), type: 'CONTACT', revision: { ...sealed.revision, entity: 'case_event' } };
    },
  },
  {
    name: 'transfer',
    method: 'POST',
    path: () => `/api/v1/cases/${existing.id}/transfer`,
    body: () =>
      Promise.resolve({
        version: 999,
        targetEmbassyId: app.cast.ids.embassyB,
        wrap: {
          keyId: existing.keyId,
          scopeId: app.cast.ids.embassyB,
          generation: 1,
          sealed: 'AA',
          entity: 'case',
          recordId: existing.id,
          writerUserId: teams.sessions.contactA1.user.id,
          signature: 'A'.repeat(86),
        },
        signature: 'A'.repeat(86),
      }),
  },
  {
    name: 'shred',
    method: 'POST',
    path: () => `/api/v1/cases/${existing.id}/shred`,
    body: () => Promise.resolve({ confirm: 'not the confirmation', version: 999, signature: 'A'.repeat(86) }),
  },
  { name: 'duplicates', method: 'POST', path: () => '/api/v1/cases/duplicate-search', body: () => Promise.resolve({ fieldId: 'name', values: ['A'.repeat(22)] }) },
];

/** Values that no field of a case route accepts in place of its own. */
const BAD_VALUES: [string, unknown][] = [
  ['a number', 12345],
  ['a long string', 'x'.repeat(5000)],
  ['an object', { nested: true }],
  ['a long array', Array.from({ length: 100 }, () => 'JUDICIAL_HARASSMENT')],
  ['an unknown enum', 'BOGUS_VALUE'],
  ['a negative number', -1],
];

function expectProblem(result: { status: number; type: string; problem: Record<string, unknown> }, label: string): void {
  expect({ label, serverError: result.status >= 500 }).toEqual({ label, serverError: false });
  if (result.status >= 400) {
    expect({ label, type: result.type }).toEqual({ label, type: expect.stringContaining('application/problem+json') as unknown });
    expect(typeof result.problem.detail).toBe('string');
  }
}

describe.each(routes)('$name', (route) => {
  it('refuses every field replaced by a value of the wrong kind, naming the field', async () => {
    const base = await route.body();
    for (const field of Object.keys(base)) {
      for (const [kind, value] of BAD_VALUES) {
        const result = await send(route.method, route.path(), { ...base, [field]: value });
        const label = `${route.name}.${field} = ${kind}`;
        expectProblem(result, label);
        expect({ label, status: result.status >= 400 && result.status < 500 }).toEqual({ label, status: true });
      }
    }
  });

  it('refuses unknown fields, a body that is not an object, malformed JSON and a malformed id', async () => {
    const base = await route.body();
    for (const [label, body, raw] of [
      ['unknown field', { ...base, bogus: 1 }, undefined],
      ['array body', [base], undefined],
      ['string body', 'text', undefined],
      ['malformed JSON', undefined, '{"version": '],
    ] as [string, unknown, string | undefined][]) {
      const result = await send(route.method, route.path(), body, raw);
      expectProblem(result, `${route.name}: ${label}`);
      expect({ label, status: result.status }).toEqual({ label, status: 400 });
    }
    if (route.path().includes(existing.id)) {
      const result = await send(route.method, route.path().replace(existing.id, 'not-a-uuid'), base);
      expect(result.status).toBe(400);
    }
  });

  it('never answers 500 to arbitrary JSON in place of any field (fast-check)', async () => {
    const base = await route.body();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.keys(base)), fc.jsonValue({ maxDepth: 3 }), async (field, value) => {
        const result = await send(route.method, route.path(), { ...base, [field]: value });
        expectProblem(result, `${route.name}.${field}`);
      }),
      { numRuns: 25 },
    );
  });
});

describe('malformed sealed material', () => {
  it('names the envelope, the signature or the wrap that is malformed, oversize or unknown', async () => {
    const base = await sealNewCase(teams.sessions.contactA1, newCase('malformed'));
    const envelope = base.revision.envelopes[0].envelope;
    const withEnvelope = (value: string): unknown => ({
      ...base,
      revision: { ...base.revision, envelopes: [{ field: base.revision.envelopes[0].field, envelope: value }, ...base.revision.envelopes.slice(1)] },
    });
    const cases: [string, unknown, string][] = [
      ['not base64url', withEnvelope('not base64!'), 'revision.envelopes.0.envelope'],
      ['padding', withEnvelope(`${envelope}=`), 'revision.envelopes.0.envelope'],
      ['too short', withEnvelope('AQE'), 'revision.envelopes.0.envelope'],
      ['unknown version', withEnvelope(`Ag${envelope.slice(2)}`), 'revision.envelopes.0.envelope'],
      ['truncated', withEnvelope(envelope.slice(0, -10)), 'revision.envelopes.0.envelope'],
      ['over the cap', withEnvelope('A'.repeat(ENVELOPE_CAP + 1)), 'revision.envelopes.0.envelope'],
      ['unknown field', { ...base, revision: { ...base.revision, envelopes: [{ field: 'favourite_colour', envelope }] } }, 'revision.envelopes.0.field'],
      ['field twice', { ...base, revision: { ...base.revision, envelopes: [base.revision.envelopes[0], base.revision.envelopes[0]] } }, 'revision.envelopes'],
      ['no identity', { ...base, revision: { ...base.revision, envelopes: base.revision.envelopes.filter((e) => e.field !== 'identity') } }, 'revision.envelopes'],
      ['65 envelopes', { ...base, revision: { ...base.revision, envelopes: Array.from({ length: 65 }, () => base.revision.envelopes[0]) } }, 'revision.envelopes'],
      ['short signature', { ...base, revision: { ...base.revision, signature: 'AAAA' } }, 'revision.signature'],
      ['wrong entity', { ...base, revision: { ...base.revision, entity: 'visa_request' } }, 'revision.entity'],
      ['another record', { ...base, revision: { ...base.revision, recordId: randomUUID() } }, 'revision.recordId'],
      ['short wrap', { ...base, wrap: { ...base.wrap, sealed: 'AAAA' } }, 'wrap'],
      ['short wrap signature', { ...base, wrap: { ...base.wrap, signature: 'AAAA' } }, 'wrap'],
      ['wrap without its record', { ...base, wrap: { ...base.wrap, recordId: undefined } }, 'wrap.recordId'],
      ['wrap of an unknown entity name', { ...base, wrap: { ...base.wrap, entity: 'Not An Identifier' } }, 'wrap.entity'],
      ['wrap of another key', { ...base, wrap: { ...base.wrap, keyId: randomUUID() } }, 'revision.envelopes.0.envelope'],
      ['17 blind indexes', { ...base, blindIndexes: Array.from({ length: 17 }, (_, i) => ({ fieldId: 'name', value: `${'A'.repeat(20)}${String(i).padStart(2, 'A')}` })) }, 'blindIndexes'],
      ['blind index twice', { ...base, blindIndexes: [base.blindIndexes[0], base.blindIndexes[0]] }, 'blindIndexes.1'],
      ['bad blind index', { ...base, blindIndexes: [{ fieldId: 'email', value: 'short' }] }, 'blindIndexes.0.fieldId'],
    ];
    for (const [label, body, field] of cases) {
      const result = await send('POST', '/api/v1/cases', body);
      const fields = ((result.problem.errors ?? []) as { field: string }[]).map((error) => error.field);
      expect({ label, status: result.status, named: fields.includes(field) }).toEqual({ label, status: 400, named: true });
    }
  });
});
