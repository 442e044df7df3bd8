/**
 * Idempotency keys are remembered for 24 hours by the server's clock (docs/api.md): a
 * retry inside the window replays the first response, after it the key is free again;
 * expired records are purged (on demand here, at start-up below), live ones never. The
 * TestClock moves time; nothing waits.
 */
import { rmSync } from 'node:fs';
import { sealNewCase } from '../../src/client/case-flow';
import type { EgideSession } from '../../src/client/egide-session';
import { IdempotencyExpiry } from '../../src/common/idempotency/idempotency-expiry';
import { IDEMPOTENCY_WINDOW_MS } from '../../src/common/idempotency/idempotency.service';
import { startEgide } from '../../src/server';
import { newCase } from '../cases/case-factory';
import { startCastApp, type CastApp } from '../support/cast';
import { makeTempDir, TEST_SERVER_SECRET, testEnv } from '../support/test-app';
import { TestClock } from '../support/test-clock';
import { querySql } from '../support/test-database';
import { setUpEmbassyTeams } from '../support/teams';

let app: CastApp;
let session: EgideSession;

beforeAll(async () => {
  app = await startCastApp();
  session = (await setUpEmbassyTeams(app)).sessions.contactA1;
});

afterAll(async () => {
  await app?.close();
});

/** Moves the server's clock; the SDK's access token is then stale by that clock, so it refreshes. */
async function advance(ms: number): Promise<void> {
  app.clock.advance(ms);
  await session.refresh();
}

async function recordedKeys(keys: string[]): Promise<string[]> {
  const rows = await querySql<{ idempotency_key: string }>(
    app.database.url,
    `SELECT idempotency_key FROM idempotency_records WHERE idempotency_key = ANY($1) ORDER BY idempotency_key`,
    [keys],
  );
  return rows.map((row) => row.idempotency_key);
}

it('replays the first response inside the window and forgets the key after it', async () => {
  const key = 'expiry-window-0001';
  const first = await sealNewCase(session, newCase('expiry first'));
  const created = await session.cases.create(first, { idempotencyKey: key });

  await advance(IDEMPOTENCY_WINDOW_MS - 60_000);
  await expect(session.cases.create(first, { idempotencyKey: key })).resolves.toEqual(created);
  const second = await sealNewCase(session, newCase('expiry second'));
  await expect(session.cases.create(second, { idempotencyKey: key })).rejects.toMatchObject({
    status: 422,
    problem: { reason: 'idempotency-key-reused' },
  });

  // Exactly 24 hours after the first use the key is free: it now creates the second case.
  await advance(60_000);
  const reused = await session.cases.create(second, { idempotencyKey: key });
  expect(reused.id).toBe(second.id);
  expect(reused.id).not.toBe(created.id);
  const cases = await querySql<{ id: string }>(app.database.url, `SELECT id FROM cases WHERE id = ANY($1)`, [[first.id, second.id]]);
  expect(cases).toHaveLength(2);
  // And the record is now the second request's, for the next 24 hours.
  await expect(session.cases.create(second, { idempotencyKey: key })).resolves.toEqual(reused);
});

it('purges the expired records and keeps the live ones', async () => {
  const older = 'expiry-purge-older';
  const newer = 'expiry-purge-newer';
  await session.cases.create(await sealNewCase(session, newCase('purge older')), { idempotencyKey: older });
  await advance(12 * 60 * 60 * 1000);
  await session.cases.create(await sealNewCase(session, newCase('purge newer')), { idempotencyKey: newer });
  await advance(IDEMPOTENCY_WINDOW_MS - 12 * 60 * 60 * 1000);

  const purge = app.server.app.get(IdempotencyExpiry);
  await expect(purge.purge()).resolves.toBeGreaterThanOrEqual(1);
  expect(await recordedKeys([older, newer])).toEqual([newer]);
  // Nothing else has expired: a second purge finds nothing.
  await expect(purge.purge()).resolves.toBe(0);
  expect(await recordedKeys([newer])).toEqual([newer]);
});

it('purges at start-up what expired while the server was down', async () => {
  const key = 'expiry-at-startup';
  await session.cases.create(await sealNewCase(session, newCase('startup purge')), { idempotencyKey: key });
  expect(await recordedKeys([key])).toEqual([key]);

  const later = new TestClock();
  later.advance(app.clock.now().getTime() + IDEMPOTENCY_WINDOW_MS - later.now().getTime());
  const dataDir = makeTempDir('egide-idempotency-');
  const restarted = await startEgide({
    env: testEnv({ DATABASE_URL: app.database.url, DATA_DIR: dataDir, SERVER_SECRET: TEST_SERVER_SECRET, LOG_LEVEL: 'silent' }),
    clock: later,
  });
  try {
    expect(await recordedKeys([key])).toEqual([]);
  } finally {
    await restarted.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
