/**
 * The principals this instance has loaded recently, so that an authenticated request
 * need not ask PostgreSQL who its caller is (docs/identity.md, "Sessions and
 * revocation"). Owns only memory: an entry per (user, session), holding what the
 * principal query returned for one token version, dropped by the listener
 * (principal-listener.ts) when PostgreSQL notifies a change, and expired after a short
 * hard lifetime whatever happens.
 *
 * It must never answer while it is suspended (the listener is not confirmed to be
 * listening, so a change could go unheard), and it must never keep a principal loaded
 * before an invalidation: `set` takes the epoch read before the load started and refuses
 * the entry if anything was dropped since, since that load may have read the row as it
 * was before the change that caused the drop. Negative answers are never cached.
 */
import type { Actor } from '../common/authz/actor';

/** What the cache keeps of an Actor: all but what each request brings (its session and request ids). */
export type Principal = Omit<Actor, 'sessionId' | 'requestId'>;

interface Entry {
  readonly principal: Principal;
  readonly tokenVersion: number;
  readonly expiresAt: number;
}

export interface PrincipalCacheOptions {
  /** Hard lifetime of an entry; 0 disables the cache (every request asks PostgreSQL). */
  readonly ttlMs: number;
  /** At most this many entries; the oldest user's oldest entry goes first. */
  readonly maxEntries: number;
  /** Monotonic milliseconds (performance.now); the tests pass their own. */
  readonly now?: () => number;
}

export class PrincipalCache {
  private readonly byUser = new Map<string, Map<string, Entry>>();
  private entries = 0;
  private generation = 0;
  private active = false;
  private readonly now: () => number;

  constructor(private readonly options: PrincipalCacheOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  get enabled(): boolean {
    return this.options.ttlMs > 0;
  }

  /** True while the listener is confirmed to be listening: only then is the cache used. */
  get isActive(): boolean {
    return this.active && this.enabled;
  }

  get size(): number {
    return this.entries;
  }

  /** Read before loading a principal; passed back to `set`. Moves with every drop. */
  get epoch(): number {
    return this.generation;
  }

  get(userId: string, sessionId: string, tokenVersion: number): Principal | undefined {
    if (!this.isActive) return undefined;
    const sessions = this.byUser.get(userId);
    const entry = sessions?.get(sessionId);
    if (sessions === undefined || entry === undefined) return undefined;
    // A token of another version is checked against the database (and replaces the
    // entry only if the database accepts it).
    if (entry.tokenVersion !== tokenVersion) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.remove(sessions, userId, sessionId);
      return undefined;
    }
    return entry.principal;
  }

  /** Keeps a principal the database just accepted, unless something was dropped since `epoch`. */
  set(epoch: number, sessionId: string, tokenVersion: number, principal: Principal): void {
    if (!this.isActive || epoch !== this.generation) return;
    if (this.byUser.get(principal.userId)?.has(sessionId) !== true) {
      if (this.entries >= this.options.maxEntries) this.evictOldest();
      this.entries += 1;
    }
    // Read after the eviction, which may have removed this user's (emptied) map.
    let sessions = this.byUser.get(principal.userId);
    if (sessions === undefined) {
      sessions = new Map();
      this.byUser.set(principal.userId, sessions);
    }
    sessions.set(sessionId, { principal, tokenVersion, expiresAt: this.now() + this.options.ttlMs });
  }

  /** A change of the user, one of its sessions, or its grants. */
  dropUser(userId: string): void {
    this.generation += 1;
    const sessions = this.byUser.get(userId);
    if (sessions === undefined) return;
    this.entries -= sessions.size;
    this.byUser.delete(userId);
  }

  /** A new (or removed) team generation: who holds the current one changed for the whole scope. */
  dropScope(scopeId: string): void {
    this.generation += 1;
    for (const [userId, sessions] of this.byUser) {
      const [first] = sessions.values();
      // Every entry of a user has the same scope: it is part of the principal, and a
      // change of it drops the user.
      if (first?.principal.teamGrant?.scopeId === scopeId) {
        this.entries -= sessions.size;
        this.byUser.delete(userId);
      }
    }
  }

  /** Everything: notifications may have been missed. */
  clear(): void {
    this.generation += 1;
    this.byUser.clear();
    this.entries = 0;
  }

  /** The listener is confirmed to be listening (after a fresh LISTEN): start from empty. */
  resume(): void {
    this.clear();
    this.active = true;
  }

  /** The listener is down or not yet confirmed: answer nothing until `resume`. */
  suspend(): void {
    this.active = false;
    this.clear();
  }

  private remove(sessions: Map<string, Entry>, userId: string, sessionId: string): void {
    if (sessions.delete(sessionId)) this.entries -= 1;
    if (sessions.size === 0) this.byUser.delete(userId);
  }

  private evictOldest(): void {
    const [oldest] = this.byUser;
    if (oldest === undefined) return;
    const [userId, sessions] = oldest;
    const [sessionId] = sessions.keys();
    this.remove(sessions, userId, sessionId);
  }
}
