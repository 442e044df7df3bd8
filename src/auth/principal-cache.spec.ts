import type { Principal } from './principal-cache';
import { PrincipalCache } from './principal-cache';

const EMBASSY = 'e0000000-0000-4000-8000-000000000001';
const OTHER_EMBASSY = 'e0000000-0000-4000-8000-000000000002';

function principal(userId: string, scopeId = EMBASSY): Principal {
  return {
    userId,
    role: 'EMBASSY_CONTACT',
    scope: { type: 'EMBASSY', id: scopeId },
    teamGrant: { scopeId, currentGeneration: 1, holdsCurrent: true },
  };
}

function cache(options: { ttlMs?: number; maxEntries?: number } = {}): { cache: PrincipalCache; advance(ms: number): void } {
  let now = 1_000;
  const created = new PrincipalCache({ ttlMs: options.ttlMs ?? 5_000, maxEntries: options.maxEntries ?? 100, now: () => now });
  created.resume();
  return { cache: created, advance: (ms) => (now += ms) };
}

describe('PrincipalCache', () => {
  it('answers a principal for its session and token version until its hard expiry', () => {
    const { cache: principals, advance } = cache();
    principals.set(principals.epoch, 's1', 3, principal('u1'));
    expect(principals.get('u1', 's1', 3)).toEqual(principal('u1'));
    expect(principals.get('u1', 's2', 3)).toBeUndefined();
    // Another token version is checked in the database, not answered from the cache.
    expect(principals.get('u1', 's1', 4)).toBeUndefined();
    advance(4_999);
    expect(principals.get('u1', 's1', 3)).toBeDefined();
    advance(1);
    expect(principals.get('u1', 's1', 3)).toBeUndefined();
    expect(principals.size).toBe(0);
  });

  it('drops every session of a user, or every user of a scope, on notification', () => {
    const { cache: principals } = cache();
    principals.set(principals.epoch, 's1', 0, principal('u1'));
    principals.set(principals.epoch, 's2', 0, principal('u1'));
    principals.set(principals.epoch, 's3', 0, principal('u2'));
    principals.set(principals.epoch, 's4', 0, principal('u3', OTHER_EMBASSY));
    expect(principals.size).toBe(4);
    principals.dropUser('u1');
    expect(principals.get('u1', 's1', 0)).toBeUndefined();
    expect(principals.get('u1', 's2', 0)).toBeUndefined();
    expect(principals.get('u2', 's3', 0)).toBeDefined();
    principals.dropScope(EMBASSY);
    expect(principals.get('u2', 's3', 0)).toBeUndefined();
    expect(principals.get('u3', 's4', 0)).toBeDefined();
    expect(principals.size).toBe(1);
  });

  it('refuses a principal loaded before a drop (the load may have read the old row)', () => {
    const { cache: principals } = cache();
    const epoch = principals.epoch;
    principals.dropUser('someone else');
    principals.set(epoch, 's1', 0, principal('u1'));
    expect(principals.get('u1', 's1', 0)).toBeUndefined();
    principals.set(principals.epoch, 's1', 0, principal('u1'));
    expect(principals.get('u1', 's1', 0)).toBeDefined();
  });

  it('answers nothing while suspended, and starts empty when resumed', () => {
    const { cache: principals } = cache();
    principals.set(principals.epoch, 's1', 0, principal('u1'));
    principals.suspend();
    expect(principals.isActive).toBe(false);
    expect(principals.get('u1', 's1', 0)).toBeUndefined();
    principals.set(principals.epoch, 's1', 0, principal('u1'));
    principals.resume();
    expect(principals.get('u1', 's1', 0)).toBeUndefined();
    expect(principals.size).toBe(0);
  });

  it('keeps at most maxEntries, dropping the oldest first', () => {
    const { cache: principals } = cache({ maxEntries: 3 });
    for (const user of ['u1', 'u2', 'u3', 'u4']) principals.set(principals.epoch, 's', 0, principal(user));
    expect(principals.size).toBe(3);
    expect(principals.get('u1', 's', 0)).toBeUndefined();
    expect(principals.get('u4', 's', 0)).toBeDefined();
    // Replacing an entry does not count twice.
    principals.set(principals.epoch, 's', 0, principal('u4'));
    expect(principals.size).toBe(3);
  });

  it('is never active with a lifetime of 0', () => {
    const principals = new PrincipalCache({ ttlMs: 0, maxEntries: 10 });
    principals.resume();
    principals.set(principals.epoch, 's1', 0, principal('u1'));
    expect(principals.enabled).toBe(false);
    expect(principals.get('u1', 's1', 0)).toBeUndefined();
  });
});
