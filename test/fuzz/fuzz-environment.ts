/**
 * The world the fuzzer runs in: the real server on a clone of the cast's template
 * (startCastApp), embassy teams A and B (setUpEmbassyTeams, so case routes are reachable),
 * the authorization matrix's fixture cases (so every route has real ids to aim at), the
 * write ledger, the operations read from the served OpenAPI document and the router, and
 * a signed-in session per role.
 *
 * The fuzzer's own sessions are opened by the server's SessionTokensService (the code a
 * login runs once the credentials are checked), not by signing in: the fuzzer ends them
 * itself thousands of times (logout, logout-everywhere), and a real sign-in costs an
 * Argon2id derivation and a TOTP step of the clock each time. A dead one is reopened.
 *
 * Crypto bodies come from the real SDK, signed in once per member through it; its
 * requests go through `sdkFetch`, which presents the member's current fuzzer session and
 * can capture the request a flow is about to send instead of sending it.
 */
import { DataSource } from 'typeorm';
import { SessionTokensService } from '../../src/auth/session-tokens.service';
import type { OwnUserId } from '../../src/common/authz/scope';
import { EgideClient } from '../../src/client/egide-client';
import { EgideSession } from '../../src/client/egide-session';
import { MemoryTrustStorage } from '../../src/client/trust-store';
import { readyCrypto } from '../../src/crypto/protocol-hash';
import { prepareRouteMatrix } from '../authorization/route-matrix';
import { startCastApp, type CastApp, type CastKey } from '../support/cast';
import { servedRoutes } from '../support/nest-routes';
import { setUpEmbassyTeams, type EmbassyTeams } from '../support/teams';
import { send, type WireResponse } from './draft';
import { fuzzOperations, type OpenApiDocument, type OperationSet } from './operations';
import { WriteLedger } from './write-ledger';

/** Nobody, and one member of each role (contactA1 holds embassy A's team key). */
export const SUBJECTS = ['anonymous', 'admin', 'auditor', 'contactA1', 'ngoX1', 'coordinator1'] as const;
export type Subject = (typeof SUBJECTS)[number];

const RESIGN_AFTER_SECONDS = 10 * 60;

interface OpenSession {
  userId: string;
  sessionId: string;
  accessToken: string;
  signedAt: number;
}

/** Counts what the fuzzer's helpers sent or wrote outside the measured requests (the ledger is read again after any). */
export class Activity {
  count = 0;
}

export class FuzzSessions {
  private readonly open = new Map<CastKey, OpenSession>();

  constructor(
    private readonly app: CastApp,
    private readonly dataSource: DataSource,
    private readonly signer: SessionTokensService,
    private readonly activity: Activity,
  ) {}

  /** A new session of `key`, as a login would open it. */
  async openFor(key: CastKey): Promise<OpenSession> {
    this.activity.count += 1;
    const userId = this.app.cast.members[key].userId;
    const session = await this.dataSource.transaction(async (manager) => {
      const [{ token_version }] = (await manager.query(`SELECT token_version FROM users WHERE id = $1`, [userId])) as { token_version: number }[];
      return this.signer.openSession(manager, userId as OwnUserId, token_version);
    });
    const opened = { userId, sessionId: session.sessionId, accessToken: session.accessToken, signedAt: this.app.clock.nowSeconds() };
    this.open.set(key, opened);
    return opened;
  }

  /** A refresh token of a session of its own (a valid body for /auth/refresh). */
  async throwawayRefreshToken(key: CastKey): Promise<string> {
    this.activity.count += 1;
    const userId = this.app.cast.members[key].userId;
    return this.dataSource.transaction(async (manager) => {
      const [{ token_version }] = (await manager.query(`SELECT token_version FROM users WHERE id = $1`, [userId])) as { token_version: number }[];
      return (await this.signer.openSession(manager, userId as OwnUserId, token_version)).refreshToken;
    });
  }

  /** The current access token of a subject (signed again before it expires). */
  async token(subject: Subject | CastKey): Promise<string | undefined> {
    if (subject === 'anonymous') return undefined;
    const session = this.open.get(subject) ?? (await this.openFor(subject));
    if (this.app.clock.nowSeconds() - session.signedAt > RESIGN_AFTER_SECONDS) {
      const [{ token_version }] = (await this.dataSource.query(`SELECT token_version FROM users WHERE id = $1`, [session.userId])) as { token_version: number }[];
      session.accessToken = this.signer.accessToken(session.userId, session.sessionId, token_version).accessToken;
      session.signedAt = this.app.clock.nowSeconds();
    }
    return session.accessToken;
  }

  /** Well signed by the server's own key, with claims that are not ids: must be a 401, never a cast error. */
  forgedClaimsToken(): string {
    return this.signer.accessToken("x' OR 1=1 --", 'not-a-session', 1e300).accessToken;
  }

  tokenOfUser(userId: string): string | undefined {
    return [...this.open.values()].find((session) => session.userId === userId)?.accessToken;
  }

  /**
   * Reopens the subject's session when it no longer signs in (ended by a logout the
   * fuzzer sent). Returns whether it was reopened, and whether it is still refused
   * after that (lost for the run).
   */
  async heal(subject: Subject, host: string, port: number): Promise<{ reopened: boolean; lost: boolean }> {
    if (subject === 'anonymous' || (await whoami(host, port, await this.token(subject))).status === 200) return { reopened: false, lost: false };
    const again = await this.openFor(subject);
    return { reopened: true, lost: (await whoami(host, port, again.accessToken)).status !== 200 };
  }
}

function whoami(host: string, port: number, token: string | undefined): Promise<WireResponse> {
  return send(host, port, { method: 'GET', target: '/api/v1/auth/me', headers: token === undefined ? {} : { authorization: `Bearer ${token}` }, body: undefined });
}

/** Thrown by `sdkFetch` in place of sending a captured request. */
class CapturedRequest extends Error {}


export interface Captured {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

/** Captures what an SDK flow would send to `method path` (the flow's reads go through). */
export class SdkCapture {
  private armed: { method: string; path: RegExp; captured?: Captured } | undefined;

  constructor(
    private readonly sessions: FuzzSessions,
    private readonly activity: Activity,
  ) {}

  fetchFor(userId: string): typeof fetch {
    return async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const headers = new Headers(init?.headers);
      const token = this.sessions.tokenOfUser(userId);
      if (token !== undefined) headers.set('authorization', `Bearer ${token}`);
      const method = (init?.method ?? 'GET').toUpperCase();
      if (this.armed !== undefined && this.armed.method === method && this.armed.path.test(url.pathname)) {
        this.armed.captured ??= {
          method,
          path: url.pathname + url.search,
          headers: Object.fromEntries([...headers].filter(([name]) => name !== 'authorization' && name !== 'accept')),
          body: typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined,
        };
        throw new CapturedRequest(`captured ${method} ${url.pathname}`);
      }
      this.activity.count += 1;
      return fetch(url, { ...init, headers });
    };
  }

  /** Runs `flow` until it sends `method path`, and returns that request unsent. */
  async capture(method: string, path: RegExp, flow: () => Promise<unknown>): Promise<Captured | undefined> {
    const armed: { method: string; path: RegExp; captured?: Captured } = { method, path };
    this.armed = armed;
    try {
      await flow();
    } catch (error) {
      // The flow may wrap or retry what sdkFetch threw: having the request is what counts.
      if (armed.captured === undefined) throw error;
    } finally {
      this.armed = undefined;
    }
    return armed.captured;
  }
}

export interface FuzzEnvironment extends OperationSet {
  readonly app: CastApp;
  readonly host: string;
  readonly port: number;
  readonly sessions: FuzzSessions;
  readonly ledger: WriteLedger;
  readonly capture: SdkCapture;
  readonly activity: Activity;
  readonly teams: EmbassyTeams;
  /** contactA1 through the SDK (keys in memory, HTTP through the fuzzer's session of contactA1). */
  readonly writer: EgideSession;
  close(): Promise<void>;
}

export async function startFuzzEnvironment(): Promise<FuzzEnvironment> {
  await readyCrypto();
  // Errors only: a line per request at info would cost more than the request.
  const app = await startCastApp({ env: { LOG_LEVEL: 'warn' } });
  try {
    const activity = new Activity();
    const sessions = new FuzzSessions(app, app.server.app.get(DataSource), app.server.app.get(SessionTokensService), activity);
    const capture = new SdkCapture(sessions, activity);
    const trust = new Map<string, MemoryTrustStorage>();
    const storageOf = (userId: string): MemoryTrustStorage => trust.get(userId) ?? trust.set(userId, new MemoryTrustStorage()).get(userId)!;
    const client = (key: CastKey): EgideClient =>
      new EgideClient(app.url, { fetch: capture.fetchFor(app.cast.members[key].userId), trustStorage: storageOf });
    const teams = await setUpEmbassyTeams({
      ...app,
      login: (key) => client(key).login(app.cast.members[key].email, app.cast.members[key].password, app.freshTotp(key)),
    });
    await prepareRouteMatrix(app.database.url, app.cast);

    const founder = teams.sessions.contactA1;
    await founder.saveTrust();
    // Its own tokens are never used again (sdkFetch presents the fuzzer's session): it must never refresh.
    const writer = await EgideSession.resume(
      { ...founder.export(), accessTokenExpiresAt: Number.MAX_SAFE_INTEGER },
      capture.fetchFor(founder.user.id),
      storageOf(founder.user.id),
    );

    for (const subject of SUBJECTS) if (subject !== 'anonymous') await sessions.openFor(subject);

    const document = (await (await app.request('/api/docs-json')).json()) as OpenApiDocument;
    const operationSet = fuzzOperations(document, servedRoutes(app.server.app));
    const ledger = await WriteLedger.install(app.database.url);
    const { hostname, port } = new URL(app.url);
    return {
      ...operationSet,
      app,
      host: hostname,
      port: Number(port),
      sessions,
      ledger,
      capture,
      activity,
      teams,
      writer,
      close: async () => {
        await ledger.close();
        await app.close();
      },
    };
  } catch (error) {
    await app.close();
    throw error;
  }
}
