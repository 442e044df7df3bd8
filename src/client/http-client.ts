/**
 * The SDK's HTTP layer: JSON over fetch, bearer token when there is one, and every
 * non-2xx answer turned into an `EgideApiError` carrying the problem body (RFC 9457).
 * No crypto here and no retries: callers decide.
 */

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  requestId?: string;
  errors?: { field: string; messages: string[] }[];
  [extension: string]: unknown;
}

export class EgideApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: ProblemBody,
  ) {
    super(`${status} ${problem.title}: ${problem.detail}`);
    this.name = 'EgideApiError';
  }
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
}

/** Supplies the current access token (refreshing it if needed); undefined when signed out. */
export type AccessTokenSource = () => Promise<string | undefined>;

export class HttpClient {
  constructor(
    readonly baseUrl: string,
    private readonly accessToken: AccessTokenSource = () => Promise.resolve(undefined),
    // Bound: a browser's fetch throws "Illegal invocation" when called with any `this`
    // but the window (or none), and request() calls it as a plain function.
    private readonly fetchImpl: typeof fetch = globalThis.fetch.bind(globalThis),
  ) {}

  /** The same server, with another source of access tokens (a signed-in session). */
  withAccessToken(source: AccessTokenSource): HttpClient {
    return new HttpClient(this.baseUrl, source, this.fetchImpl);
  }

  async request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<T> {
    const url = new URL(`/api/v1${path}`, this.baseUrl);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json', ...options.headers };
    const token = await this.accessToken();
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    // Never `this.fetchImpl(…)`: that would call the caller's fetch with this client as `this`.
    const fetchUnbound = this.fetchImpl;
    const response = await fetchUnbound(url, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    if (!response.ok) throw new EgideApiError(response.status, parseProblem(response.status, text));
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }
}

function parseProblem(status: number, text: string): ProblemBody {
  try {
    const parsed = JSON.parse(text) as Partial<ProblemBody>;
    if (typeof parsed.title === 'string' && typeof parsed.detail === 'string') return { ...parsed, status } as ProblemBody;
  } catch {
    // Not JSON: a proxy or a crash in front of the API; fall through.
  }
  return { type: 'about:blank', title: 'HTTP error', status, detail: text.slice(0, 200) };
}
