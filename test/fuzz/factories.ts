/**
 * Valid requests, before any mutation. Every operation gets the generic one: path
 * parameters from its authorization-matrix row (real ids of the caller's scope, or of
 * another scope), else from the schema; documented query parameters and headers now and
 * then; a body from the schema (schema-values.ts). Where a schema-valid body is not
 * enough — signatures, sealed keys, a case's current version, an invitation code —
 * a factory of this registry, keyed like the status table, makes a real one, through
 * the SDK (src/client) and test/cases/case-factory.ts. A route without a factory is
 * fuzzed all the same; a factory that fails falls back to the generic request (counted).
 */
import { createHash, randomBytes } from 'node:crypto';
import { allowedNextStatuses } from '../../src/cases/case-status';
import type { CaseStatus } from '../../src/contract/case-vocabulary';
import { MEMBER_EVENT_TYPES, RISK_LEVELS } from '../../src/contract/case-vocabulary';
import type { CaseResponse } from '../../src/cases/dto/case.response';
import { addCaseEvent, createCase, findDuplicates, sealNewCase, shredCase, transferCase, updateCase } from '../../src/client/case-flow';
import type { EgideSession } from '../../src/client/egide-session';
import { EgideApiError } from '../../src/client/http-client';
import { openMyTeamKeys, type MyTeamKeys } from '../../src/client/team-keys-flow';
import { ROUTE_MATRIX, type Subject as MatrixSubject } from '../authorization/route-matrix';
import { newCase } from '../cases/case-factory';
import type { Cast, CastKey } from '../support/cast';
import { querySql } from '../support/test-database';
import { emptyDraft, type Draft } from './draft';
import type { Captured, FuzzEnvironment, Subject } from './fuzz-environment';
import type { FuzzOperation } from './operations';
import type { Prng } from './prng';
import { marker, valueFor } from './schema-values';

/** Members whose e-mail the sign-in factories use: none of them is a fuzzing subject or the SDK writer. */
const SIGN_IN_TARGETS: readonly CastKey[] = ['contactB2', 'ngoY1', 'coordinator2', 'contactA2'];

export interface FactoryContext {
  rng: Prng;
  env: FuzzEnvironment;
  subject: Subject;
  cases: CasePool;
}

type Factory = (draft: Draft, context: FactoryContext) => Promise<Draft | undefined>;

/** `{id}` values of a concrete path, read against its template. */
export function parametersIn(template: string, path: string): Record<string, string> | undefined {
  const names: string[] = [];
  const pattern = new RegExp(`^${template.replace(/\{(\w+)\}/g, (_, name: string) => (names.push(name), '([^/?]+)'))}(?:\\?.*)?$`);
  const match = pattern.exec(path);
  return match === null ? undefined : Object.fromEntries(names.map((name, index) => [name, match[index + 1]]));
}

/**
 * The cases the factories aim at: a few live cases of embassy A, written by contactA1
 * through the SDK, read once and read again only after a request may have changed one
 * (`forget`). One that a fuzzed request transferred or shredded is replaced.
 */
export class CasePool {
  private readonly known = new Map<string, CaseResponse | undefined>();
  private teamKeys: MyTeamKeys | undefined;

  constructor(private readonly writer: EgideSession) {}

  async keys(): Promise<MyTeamKeys> {
    this.teamKeys ??= await openMyTeamKeys(this.writer);
    return this.teamKeys;
  }

  /** After a request that may have changed a case: read them again before use. */
  forget(): void {
    for (const id of this.known.keys()) this.known.set(id, undefined);
  }

  async live(rng: Prng): Promise<CaseResponse> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      if (this.known.size < 3) this.known.set((await createCase(this.writer, newCase(marker(rng)), { teamKeys: await this.keys() })).id, undefined);
      const id = rng.pick([...this.known.keys()]);
      const cached = this.known.get(id);
      if (cached !== undefined) return cached;
      try {
        const found = await this.writer.cases.get(id);
        if (found.shreddedAt === null) {
          this.known.set(id, found);
          return found;
        }
      } catch (error) {
        if (!(error instanceof EgideApiError && error.status === 404)) throw error;
      }
      this.known.delete(id);
    }
    throw new Error('no live case after five attempts');
  }
}

const withBody = (draft: Draft, value: unknown): Draft => ({ ...draft, body: { kind: 'json', value } });
const withCase = (draft: Draft, found: CaseResponse): Draft => ({ ...draft, pathParams: { ...draft.pathParams, id: found.id } });
const email = (cast: Cast, rng: Prng): string => (rng.chance(0.8) ? cast.members[rng.pick(SIGN_IN_TARGETS)].email : `${marker(rng).toLowerCase()}@example.org`);
/** 32 bytes, canonical base64url: what the SDK sends (a wrong one, not a malformed one). */
const authKey = (rng: Prng): string => Buffer.from(rng.text(64, '0123456789abcdef'), 'hex').toString('base64url');

/** A case route's request as an SDK flow would send it for a live case, captured unsent. */
function caseFactory(method: string, path: RegExp, flow: (writer: EgideSession, found: CaseResponse, context: FactoryContext) => Promise<unknown>): Factory {
  return async (draft, context) => {
    const found = await context.cases.live(context.rng);
    const captured = await context.env.capture.capture(method, path, () => flow(context.env.writer, found, context));
    return captured === undefined ? undefined : fromCaptured(draft, captured);
  };
}

/** The captured request's case id, body and idempotency key. */
function fromCaptured(draft: Draft, captured: Captured): Draft {
  const headers = { ...draft.headers, ...Object.fromEntries(Object.entries(captured.headers).filter(([name]) => name === 'idempotency-key')) };
  const id = /\/cases\/([0-9a-f-]{36})/.exec(captured.path)?.[1];
  return {
    ...draft,
    pathParams: id === undefined ? draft.pathParams : { ...draft.pathParams, id },
    headers,
    body: captured.body === undefined ? { kind: 'none' } : { kind: 'json', value: captured.body },
  };
}

export const FACTORIES: Readonly<Record<string, Factory>> = {
  'post /api/v1/cases': async (draft, { rng, cases, env }) => ({
    ...withBody(draft, await sealNewCase(env.writer, newCase(marker(rng)), { teamKeys: await cases.keys() })),
    headers: { ...draft.headers, 'idempotency-key': `fz-${rng.text(20)}` },
  }),
  'patch /api/v1/cases/{id}': caseFactory('PATCH', /^\/api\/v1\/cases\/[^/]+$/, async (writer, found, { rng, cases }) =>
    updateCase(
      writer,
      found.id,
      { version: found.version, riskLevel: rng.pick(RISK_LEVELS), ...(rng.chance(0.5) ? { content: { narrative: marker(rng) } } : {}) },
      { teamKeys: await cases.keys() },
    ),
  ),
  'post /api/v1/cases/{id}/events': caseFactory('POST', /\/events$/, async (writer, found, { rng, cases }) =>
    addCaseEvent(writer, found.id, { type: rng.pick(MEMBER_EVENT_TYPES), body: { note: marker(rng) } }, { teamKeys: await cases.keys() }),
  ),
  'post /api/v1/cases/{id}/transfer': caseFactory('POST', /\/transfer$/, async (writer, found, { env }) =>
    transferCase(writer, found.id, { targetEmbassyId: env.app.cast.ids.embassyB, expectedTeamFingerprint: env.teams.fingerprints.embassyB, overrideReason: undefined }),
  ),
  'post /api/v1/cases/{id}/shred': caseFactory('POST', /\/shred$/, async (writer, found) => shredCase(writer, found.id, found.reference, { version: found.version })),
  'post /api/v1/cases/duplicate-search': caseFactory('POST', /duplicate-search$/, async (writer, _found, { rng, cases }) =>
    findDuplicates(writer, rng.chance(0.5) ? { name: `Defender ${marker(rng)}` } : { passport: `P-${marker(rng)}` }, { teamKeys: await cases.keys() }),
  ),
  'post /api/v1/cases/{id}/status': async (draft, { rng, cases }) => {
    const found = await cases.live(rng);
    const next = allowedNextStatuses(found.status as CaseStatus);
    return withBody(withCase(draft, found), { to: next.length > 0 ? rng.pick(next) : 'OPEN', version: found.version });
  },
  'post /api/v1/cases/{id}/assign': async (draft, { rng, cases, env }) => {
    const found = await cases.live(rng);
    const assignee = rng.pick([env.app.cast.members.contactA1.userId, env.app.cast.members.contactA2.userId, null]);
    return withBody(withCase(draft, found), { assigneeId: assignee, version: found.version });
  },
  'get /api/v1/cases/{id}': async (draft, { rng, cases }) => withCase(draft, await cases.live(rng)),
  'get /api/v1/cases/{id}/events': async (draft, { rng, cases }) => withCase(draft, await cases.live(rng)),
  'get /api/v1/cases/by-reference/{reference}': async (draft, { rng, cases }) => ({
    ...draft,
    pathParams: { reference: (await cases.live(rng)).reference },
  }),

  'post /api/v1/admin/embassies': async (draft, { rng }) => withBody(draft, { name: `Embassy ${marker(rng)}`, country: 'KE', city: 'Nairobi' }),
  'post /api/v1/admin/organisations': async (draft, { rng }) => withBody(draft, { name: `Organisation ${marker(rng)}`, country: 'CH' }),
  'post /api/v1/admin/invitations': async (draft, { rng, env }) => {
    const role = rng.pick(['EMBASSY_CONTACT', 'NGO', 'COORDINATOR', 'AUDITOR', 'ADMIN'] as const);
    const scope = role === 'EMBASSY_CONTACT' ? { embassyId: env.app.cast.ids.embassyA } : role === 'NGO' ? { organisationId: env.app.cast.ids.orgX } : {};
    return withBody(draft, { email: `${marker(rng).toLowerCase()}@example.org`, role, ...scope });
  },

  'post /api/v1/auth/prelogin': async (draft, { rng, env }) => withBody(draft, { email: email(env.app.cast, rng) }),
  'post /api/v1/auth/login': async (draft, { rng, env }) =>
    withBody(draft, { email: email(env.app.cast, rng), authKey: authKey(rng), totpCode: rng.text(6, '0123456789') }),
  'post /api/v1/auth/recovery/begin': async (draft, { rng, env }) =>
    withBody(draft, { email: email(env.app.cast, rng), recoveryAuthKey: authKey(rng), totpCode: rng.text(6, '0123456789') }),
  'post /api/v1/auth/refresh': async (draft, { rng, env }) => withBody(draft, { refreshToken: await env.sessions.throwawayRefreshToken(rng.pick(SIGN_IN_TARGETS)) }),
  'post /api/v1/auth/enrol': async (draft, { rng, env }) => {
    // An invitation written as the cast's are (cast.ts): its own routes have their own tests.
    env.activity.count += 1;
    const code = randomBytes(32).toString('base64url');
    const address = `${marker(rng).toLowerCase()}@example.org`;
    await querySql(
      env.app.database.url,
      `INSERT INTO invitations (code_hash, email, role, embassy_id, created_by, expires_at)
       VALUES ($1, $2, 'EMBASSY_CONTACT', $3, $4, now() + interval '1 day')`,
      [createHash('sha256').update(code).digest(), address, env.app.cast.ids.embassyA, env.app.cast.members.admin.userId],
    );
    const body = draft.body.kind === 'json' && typeof draft.body.value === 'object' ? draft.body.value : {};
    return withBody(draft, { ...body, invitationCode: code, email: address });
  },
};

/** The generic valid request of an operation, for a subject. */
export function genericDraft(operation: FuzzOperation, subject: Subject, cast: Cast, rng: Prng): Draft {
  const draft = emptyDraft(operation);
  const row = ROUTE_MATRIX[operation.key];
  const aimAt = (subject === 'anonymous' ? 'admin' : subject) as Exclude<MatrixSubject, 'anonymous'>;
  const call = row === undefined ? undefined : row.otherScope !== undefined && rng.chance(0.3) ? row.otherScope(cast, aimAt) : row.own(cast, aimAt);
  const fromMatrix = call === undefined ? undefined : parametersIn(operation.template, call.path);
  for (const parameter of operation.parameters) {
    if (parameter.in === 'path') {
      draft.pathParams[parameter.name] = fromMatrix?.[parameter.name] ?? encodeURIComponent(String(valueFor(parameter.schema, rng)));
    } else if (parameter.in === 'query' && (parameter.required || rng.chance(0.3))) {
      draft.query.push([parameter.name, encodeURIComponent(String(valueFor(parameter.schema, rng)))]);
    } else if (parameter.in === 'header' && rng.chance(0.5)) {
      draft.headers[parameter.name.toLowerCase()] = `fz-${rng.text(20)}`;
    }
  }
  if (operation.body !== undefined) draft.body = { kind: 'json', value: valueFor(operation.body, rng) };
  return draft;
}

export interface BaseDraft {
  draft: Draft;
  /** 'factory', 'generic', or 'generic (factory failed: …)'. */
  source: string;
}

/** The valid request a mutation starts from: the operation's factory when it has one (most of the time), else generic. */
export async function baseDraft(operation: FuzzOperation, context: FactoryContext): Promise<BaseDraft> {
  const generic = genericDraft(operation, context.subject, context.env.app.cast, context.rng);
  const factory = FACTORIES[operation.key];
  if (factory === undefined || context.rng.chance(0.25)) return { draft: generic, source: 'generic' };
  try {
    const made = await factory(generic, context);
    return made === undefined ? { draft: generic, source: 'generic (factory made nothing)' } : { draft: made, source: 'factory' };
  } catch (error) {
    return { draft: generic, source: `generic (factory failed: ${error instanceof Error ? error.message.slice(0, 80) : String(error)})` };
  }
}
