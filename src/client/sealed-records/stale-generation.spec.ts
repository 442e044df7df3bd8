import type { TeamPublicKey } from '../crypto/team-keys';
import { EgideApiError } from '../http-client';
import type { ReaderScope } from './reader-scopes';
import { isStaleGeneration, retryOnStaleGeneration } from './stale-generation';

/** A scope whose server-side generation the test moves; refresh reads it like a real scope would. */
function scope(scopeId: string, generation: number): ReaderScope & { serverGeneration: number; refreshes: number } {
  const state = {
    scopeId,
    serverGeneration: generation,
    refreshes: 0,
    current: { scopeId, generation, boxPublicKey: new Uint8Array(32) } as TeamPublicKey,
    refresh(): Promise<boolean> {
      state.refreshes += 1;
      const moved = state.serverGeneration !== state.current.generation;
      state.current = { ...state.current, generation: state.serverGeneration };
      return Promise.resolve(moved);
    },
  };
  return state;
}

function conflict(reason: string): EgideApiError {
  return new EgideApiError(409, { type: 'urn:egide:problem:conflict', title: 'Conflict', status: 409, detail: 'x', reason, currentGeneration: 2 });
}

describe('the stale-generation retry', () => {
  it('recognises only the 409 stale-generation problem', () => {
    expect(isStaleGeneration(conflict('stale-generation'))).toBe(true);
    expect(isStaleGeneration(conflict('stale-version'))).toBe(false);
    expect(isStaleGeneration(new EgideApiError(400, { type: 'x', title: 'x', status: 400, detail: 'x', reason: 'stale-generation' }))).toBe(false);
    expect(isStaleGeneration(new TypeError('fetch failed'))).toBe(false);
  });

  it('refreshes every scope and sends once more from the refreshed keys when a generation moved', async () => {
    const embassy = scope('e', 1);
    const organisation = scope('o', 4);
    embassy.serverGeneration = 2;
    const sent: number[][] = [];
    const result = await retryOnStaleGeneration([embassy, organisation], (round) => {
      sent.push([embassy.current.generation, organisation.current.generation]);
      return round === 0 ? Promise.reject(conflict('stale-generation')) : Promise.resolve('created');
    });
    expect(result).toBe('created');
    expect(sent).toEqual([
      [1, 4],
      [2, 4],
    ]);
    expect([embassy.refreshes, organisation.refreshes]).toEqual([1, 1]);
  });

  it('retries once at most: a second stale answer reaches the caller', async () => {
    const embassy = scope('e', 1);
    embassy.serverGeneration = 2;
    let attempts = 0;
    await expect(
      retryOnStaleGeneration([embassy], () => {
        attempts += 1;
        embassy.serverGeneration += 1;
        return Promise.reject(conflict('stale-generation'));
      }),
    ).rejects.toMatchObject({ status: 409, problem: { reason: 'stale-generation' } });
    expect(attempts).toBe(2);
  });

  it('does not resend when no generation moved, nor on any other answer', async () => {
    const embassy = scope('e', 3);
    let attempts = 0;
    const failWith = (error: Error) => (): Promise<never> => {
      attempts += 1;
      return Promise.reject(error);
    };
    const stale = conflict('stale-generation');
    await expect(retryOnStaleGeneration([embassy], failWith(stale))).rejects.toBe(stale);
    expect([attempts, embassy.refreshes]).toEqual([1, 1]);

    const staleVersion = conflict('stale-version');
    await expect(retryOnStaleGeneration([embassy], failWith(staleVersion))).rejects.toBe(staleVersion);
    expect([attempts, embassy.refreshes]).toEqual([2, 1]);
  });
});
