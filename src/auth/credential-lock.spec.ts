import { FIRST_LOCK_MS, lockDurationMs, LONGEST_LOCK_MS } from './credential-lock';

it('locks for 15 minutes, then twice as long each time in a row, at most 24 hours', () => {
  const minutes = [0, 1, 2, 3, 4, 5, 6, 7, 8, 1_000].map((locksBefore) => lockDurationMs(locksBefore) / 60_000);
  expect(minutes).toEqual([15, 30, 60, 120, 240, 480, 960, 1440, 1440, 1440]);
  expect(lockDurationMs(0)).toBe(FIRST_LOCK_MS);
  expect(lockDurationMs(Number.MAX_SAFE_INTEGER)).toBe(LONGEST_LOCK_MS);
});
