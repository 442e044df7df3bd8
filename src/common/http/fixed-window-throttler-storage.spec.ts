import { FixedWindowThrottlerStorage } from './fixed-window-throttler-storage';

describe('FixedWindowThrottlerStorage', () => {
  afterEach(() => jest.useRealTimers());

  it('counts per client and limit, blocks past the limit, and opens a new window after ttl', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const storage = new FixedWindowThrottlerStorage();
    for (let i = 1; i <= 3; i += 1) await expect(storage.increment('ip-a', 60_000, 3, 60_000, 'api')).resolves.toMatchObject({ totalHits: i, isBlocked: false });
    await expect(storage.increment('ip-a', 60_000, 3, 60_000, 'api')).resolves.toMatchObject({ totalHits: 4, isBlocked: true, timeToBlockExpire: 60 });
    await expect(storage.increment('ip-b', 60_000, 3, 60_000, 'api')).resolves.toMatchObject({ totalHits: 1, isBlocked: false });
    await expect(storage.increment('ip-a', 60_000, 3, 60_000, 'credentials')).resolves.toMatchObject({ totalHits: 1, isBlocked: false });
    jest.setSystemTime(1_000_000 + 59_500);
    await expect(storage.increment('ip-a', 60_000, 3, 60_000, 'api')).resolves.toMatchObject({ isBlocked: true, timeToBlockExpire: 1 });
    jest.setSystemTime(1_000_000 + 60_000);
    await expect(storage.increment('ip-a', 60_000, 3, 60_000, 'api')).resolves.toMatchObject({ totalHits: 1, isBlocked: false });
  });
});
