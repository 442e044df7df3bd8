/**
 * The fuzzing loop. Each request: the next operation (every operation in turn, in an
 * order the seed shuffles), the next subject for that operation (anonymous and each role
 * in turn), a valid request (factories.ts), then one mutation (or none, now and then),
 * sent alone so that the write ledger's difference belongs to it. Every answer is
 * checked (assertions.ts); a failure is kept as a finding and the run goes on, so that
 * the summary shows every class of failure at once.
 */
import { ROLES_BY_PERMISSION, TEAM_GRANT_REQUIRED } from '../../src/common/authz/permissions';
import { checkAnswer, fieldsOf, parseProblem, type Violation } from './assertions';
import { CasePool, baseDraft, type FactoryContext } from './factories';
import { SUBJECTS, type FuzzEnvironment, type Subject } from './fuzz-environment';
import { send, wireRequest, type Draft, type WireRequest, type WireResponse } from './draft';
import { MUTATIONS, type MutationEffect } from './mutations';
import type { FuzzOperation } from './operations';
import { Prng } from './prng';
import { FuzzReport, type Finding } from './report';
import { WriteLedger, isRefusalWrite } from './write-ledger';

export interface FuzzOptions {
  seed: number;
  requests: number;
  /** Only operations whose key matches (FUZZ_ROUTE). */
  only?: RegExp;
  /** Share of requests sent as valid, unmutated. */
  validShare?: number;
  /** Called when a finding opens a new class of failure. */
  onNewFinding?: (finding: Finding) => void;
  onProgress?: (report: FuzzReport) => void;
}

interface SentRecord {
  route: string;
  mutation: string;
  variant: string;
  subject: Subject;
  status: number;
}

function cloneDraft(draft: Draft): Draft {
  return {
    ...draft,
    pathParams: { ...draft.pathParams },
    query: draft.query.map(([name, value]) => [name, value]),
    headers: { ...draft.headers },
    body: draft.body.kind === 'json' ? { kind: 'json', value: structuredClone(draft.body.value) } : draft.body,
    slots: new Map(draft.slots),
  };
}

const clip = (text: string, length: number): string => (text.length <= length ? text : `${text.slice(0, length)}… (${text.length} characters)`);

function describeRequest(request: WireRequest, subject: Subject): string {
  const headers = Object.entries(request.headers).map(([name, value]) =>
    name === 'authorization' && /^Bearer eyJ/.test(value) ? `${name}: Bearer <access token of ${subject}>` : `${name}: ${clip(value, 120)}`,
  );
  const body = request.body === undefined ? '' : `\n${clip(JSON.stringify(request.body.toString('utf8')), 600)}`;
  return `${request.method} ${clip(request.target, 240)}${headers.length > 0 ? `\n${headers.join('\n')}` : ''}${request.framing === undefined ? '' : `\n${request.framing.map((line) => JSON.stringify(line)).join('\n')}`}${body}`;
}

function describeResponse(response: WireResponse): string {
  return `${response.status} content-type: ${response.headers['content-type'] ?? 'none'}, x-request-id: ${response.headers['x-request-id'] ?? 'none'}\n${clip(response.body, 400)}`;
}

export async function runFuzz(env: FuzzEnvironment, options: FuzzOptions): Promise<FuzzReport> {
  // The order of operations comes from the seed; each request has a generator of its own
  // (seed, index), so request i makes the same choices whatever the server answered before.
  const orderRng = new Prng(options.seed);
  const report = new FuzzReport(options.seed, options.requests);
  const operations = env.operations.filter((operation) => options.only === undefined || options.only.test(operation.key));
  if (operations.length === 0) throw new Error(`no operation matches ${String(options.only)}`);
  const cases = new CasePool(env.writer);
  const visits = new Map<string, number>();
  const sent = new Map<string, SentRecord>();
  /** The first finding of each 5xx, by request id: the log says what broke. */
  const serverErrors = new Map<string, Finding>();
  const someToken = (await env.sessions.token('admin')) ?? '';
  const forgedClaimsToken = env.sessions.forgedClaimsToken();
  const started = Date.now();
  report.rowsBefore = await env.ledger.rowCounts();

  let order: FuzzOperation[] = [];
  let last = await env.ledger.snapshot();
  let dirty = false;
  let seenActivity = env.activity.count;

  const record = (finding: Omit<Finding, 'problemType' | 'detail'>, response: WireResponse | undefined): void => {
    const problem = response === undefined ? undefined : parseProblem(response);
    const full: Finding = {
      ...finding,
      problemType: typeof problem?.type === 'string' ? problem.type.replace('urn:egide:problem:', '') : '-',
      detail: typeof problem?.detail === 'string' ? clip(problem.detail, 200) : clip(response?.body ?? 'no response', 120),
    };
    if (!report.add(full)) return;
    if (full.status >= 500 && response?.headers['x-request-id'] !== undefined) serverErrors.set(response.headers['x-request-id'], full);
    options.onNewFinding?.(full);
  };

  const timing = { 'valid requests': 0, server: 0, ledger: 0, 'session checks': 0 };
  let mark = performance.now();
  const lap = (phase: keyof typeof timing): void => {
    const now = performance.now();
    timing[phase] += now - mark;
    mark = now;
  };
  for (let index = 0; index < options.requests; index += 1) {
    mark = performance.now();
    if (order.length === 0) order = shuffled(operations, orderRng);
    const rng = new Prng((options.seed + Math.imul(index + 1, 0x9e3779b9)) >>> 0);
    const operation = order.pop()!;
    const visit = visits.get(operation.key) ?? 0;
    visits.set(operation.key, visit + 1);
    // Every other visit sweeps the roles in turn; the others go to a caller the guard lets by.
    const subject = visit % 2 === 0 ? SUBJECTS[(visit / 2) % SUBJECTS.length] : rng.pick(allowedSubjects(env, operation));

    const context: FactoryContext = { rng, env, subject, cases };
    const base = await baseDraft(operation, context);
    lap('valid requests');
    const token = await env.sessions.token(subject);
    if (token !== undefined) base.draft.headers.authorization = `Bearer ${token}`;

    const draft = cloneDraft(base.draft);
    const applicable = MUTATIONS.filter((mutation) => mutation.appliesTo(operation, draft));
    const mutation = rng.chance(options.validShare ?? 0.15) ? undefined : rng.pick(applicable);
    let effect: MutationEffect = { variant: 'valid' };
    try {
      if (mutation !== undefined) effect = mutation.apply(draft, { rng, operation, someToken, forgedClaimsToken });
    } catch (error) {
      record({ kind: 'fuzzer error', route: operation.key, mutation: mutation?.name ?? 'none', variant: String(error), subject, status: 0, request: '', response: '' }, undefined);
      continue;
    }
    const mutationName = mutation?.name ?? 'none';
    const request = wireRequest(operation, draft);

    // Anything the helpers sent or wrote since the last reading is not this request's.
    if (env.activity.count !== seenActivity) dirty = true;
    const before = dirty ? await env.ledger.snapshot() : last;
    lap('ledger');
    let response: WireResponse;
    const sentAt = performance.now();
    try {
      response = await send(env.host, env.port, request);
    } catch (error) {
      record(
        { kind: 'no response', route: operation.key, mutation: mutationName, variant: effect.variant, subject, status: 0, note: String(error), request: describeRequest(request, subject), response: '' },
        undefined,
      );
      report.count(operation.key, 0, performance.now() - sentAt, mutationName, base.source);
      last = await env.ledger.snapshot();
      dirty = false;
      continue;
    }
    lap('server');
    last = await env.ledger.snapshot();
    lap('ledger');
    dirty = false;
    seenActivity = env.activity.count;
    const writes = WriteLedger.diff(before, last);
    report.count(operation.key, response.status, performance.now() - sentAt, mutationName, base.source.startsWith('generic (') ? base.source.replace(/: .*/, ')') : base.source);
    if (response.status >= 400) report.countRefusalWrites(operation.key, response.status, writes.filter(isRefusalWrite));
    const requestId = response.headers['x-request-id'];
    if (requestId !== undefined) sent.set(requestId, { route: operation.key, mutation: mutationName, variant: effect.variant, subject, status: response.status });

    let violations = checkAnswer(request, response, effect, writes);
    if (violations.some((violation) => violation.kind === 'validation error names another field')) {
      violations = await confirmFieldNaming(env, operation, base.draft, response, violations);
      dirty = true;
    }
    for (const violation of violations) {
      record(
        {
          kind: violation.kind,
          route: operation.key,
          mutation: mutationName,
          variant: effect.variant,
          subject,
          status: response.status,
          note: violation.note,
          request: describeRequest(request, subject),
          response: describeResponse(response),
        },
        response,
      );
    }

    const changedSomething = response.status < 300 && !['GET', 'HEAD'].includes(request.method.toUpperCase());
    if (changedSomething) cases.forget();
    // A session the fuzzer itself ended (logout, logout-everywhere) is reopened, so every role stays covered.
    const sessionMayHaveEnded =
      changedSomething || (response.status === 401 && subject !== 'anonymous' && !operation.public && mutationName !== 'authorization');
    if (sessionMayHaveEnded) {
      const healed = await env.sessions.heal(subject, env.host, env.port);
      if (healed.reopened) report.sessionsReopened += 1;
      if (healed.lost) report.lostSessions.add(subject);
      lap('session checks');
    }
    if ((index + 1) % 1000 === 0) options.onProgress?.(report);
  }

  report.elapsedMs = Date.now() - started;
  report.phaseMs = timing;
  report.rowsAfter = await env.ledger.rowCounts();
  for (const finding of errorLogFindings(env, sent, serverErrors)) record(finding, undefined);
  return report;
}

/**
 * A validation error that names another field than the one broken is a finding only if
 * the mutation caused it: the valid request is sent again, and errors it already had
 * (a generic body the schema could not make valid) do not count.
 */
async function confirmFieldNaming(env: FuzzEnvironment, operation: FuzzOperation, base: Draft, mutated: WireResponse, violations: Violation[]): Promise<Violation[]> {
  const again = await send(env.host, env.port, wireRequest(operation, cloneDraft(base)));
  const known = new Set(fieldsOf(parseProblem(again)));
  const explained = fieldsOf(parseProblem(mutated)).every((field) => known.has(field));
  return explained ? violations.filter((violation) => violation.kind !== 'validation error names another field') : violations;
}

/**
 * Error-level log lines: a 5xx's says what broke (added to its finding); one of a request
 * answered below 500 is a finding of its own — anyone could flood the log with them.
 */
function errorLogFindings(env: FuzzEnvironment, sent: Map<string, SentRecord>, serverErrors: Map<string, Finding>): Omit<Finding, 'problemType' | 'detail'>[] {
  const findings: Omit<Finding, 'problemType' | 'detail'>[] = [];
  for (const entry of env.app.log.entries()) {
    if (typeof entry.level !== 'number' || entry.level < 50) continue;
    const requestId = typeof entry.reqId === 'string' ? entry.reqId : '';
    const err = (entry.err ?? {}) as { name?: unknown; message?: unknown; stack?: unknown };
    const cause = clip(`${String(err.name)}: ${String(err.message)} ${String(err.stack).split('\n')[1]?.trim() ?? ''}`, 300);
    const serverError = serverErrors.get(requestId);
    if (serverError !== undefined) serverError.note = `log: ${cause}`;
    const origin = sent.get(requestId);
    if (origin !== undefined && origin.status >= 500) continue;
    findings.push({
      kind: 'logged at error level',
      route: origin?.route ?? 'outside a request',
      mutation: origin?.mutation ?? '-',
      variant: origin?.variant ?? '-',
      subject: origin?.subject ?? 'anonymous',
      status: origin?.status ?? 0,
      note: `${String(entry.msg)}; ${cause}`,
      request: '',
      response: '',
    });
  }
  return findings;
}

/** Who passes the route's guard: anyone for a public route, else the roles of its permission (a grant where it needs one). */
function allowedSubjects(env: FuzzEnvironment, operation: FuzzOperation): readonly Subject[] {
  const access = operation.access;
  if (access === 'public' || access === undefined) return SUBJECTS;
  const allowed = SUBJECTS.filter((subject) => {
    if (subject === 'anonymous') return false;
    const member = env.app.cast.members[subject];
    return ROLES_BY_PERMISSION[access].includes(member.role) && (!TEAM_GRANT_REQUIRED[access] || subject === 'contactA1');
  });
  return allowed.length > 0 ? allowed : SUBJECTS;
}

function shuffled<T>(items: readonly T[], rng: Prng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

