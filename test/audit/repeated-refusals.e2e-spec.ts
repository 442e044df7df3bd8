/**
 * Repeated identical refusals do not grow the audit trail without bound (docs/identity.md,
 * "Audit"): the first of each identical refusal in an hour is an event in full, the rest
 * are counted in audit_repeats, and when the hour is over the count is appended to the
 * trail as one `audit.repeated` event. Nothing in audit_events is ever rewritten.
 */
import { readyCrypto } from '../../src/crypto/protocol-hash';
import type { EgideSession } from '../../src/client/egide-session';
import { startCastApp, type CastApp } from '../support/cast';
import { querySql } from '../support/test-database';

let app: CastApp;

beforeAll(async () => {
  await readyCrypto();
  app = await startCastApp();
});

afterAll(async () => {
  await app.close();
});

const HOUR = 3_600_000;

async function refusedTimes(times: number, call: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < times; i += 1) await expect(call()).rejects.toMatchObject({ status: 403 });
}

interface TrailRow {
  id: string;
  action: string;
  request_id: string;
  details: Record<string, unknown>;
}

async function trailOf(userId: string): Promise<TrailRow[]> {
  return querySql<TrailRow>(
    app.database.url,
    `SELECT id::text, action, request_id, details FROM audit_events WHERE actor_id = $1 AND action IN ('authz.denied', 'audit.repeated') ORDER BY id`,
    [userId],
  );
}

async function countedOf(userId: string): Promise<{ route: string; repeats: number }[]> {
  return querySql<{ route: string; repeats: number }>(
    app.database.url,
    `SELECT details->>'route' AS route, repeats FROM audit_repeats WHERE actor_id = $1 ORDER BY route`,
    [userId],
  );
}

describe('a member refused the same thing again and again', () => {
  let member: EgideSession;
  let userId: string;

  beforeAll(async () => {
    member = await app.login('contactB1');
    userId = member.user.id;
  });

  it('writes the first refusal of each kind in full and only counts the others', async () => {
    await refusedTimes(25, () => member.admin.listUsers());
    await refusedTimes(3, () => member.admin.listEmbassies());

    const trail = await trailOf(userId);
    expect(trail.map((row) => [row.action, row.details.route])).toEqual([
      ['authz.denied', 'UsersAdminController.list'],
      ['authz.denied', 'EmbassiesController.list'],
    ]);
    expect(trail[0].details).toEqual({ permission: 'users:manage', route: 'UsersAdminController.list' });
    await expect(countedOf(userId)).resolves.toEqual([
      { route: 'EmbassiesController.list', repeats: 2 },
      { route: 'UsersAdminController.list', repeats: 24 },
    ]);
  });

  it('appends each count as one audit.repeated event once the hour is over, without touching earlier events', async () => {
    const before = await trailOf(userId);
    app.clock.advance(HOUR);
    // Access tokens last 15 minutes: a new session for the next hour.
    member = await app.login('contactB1');
    await refusedTimes(1, () => member.admin.listUsers());

    const trail = await trailOf(userId);
    expect(trail.slice(0, before.length)).toEqual(before);
    const appended = trail.slice(before.length);
    const summaries = appended.filter((row) => row.action === 'audit.repeated');
    expect(summaries.map((row) => [row.details.of, row.details.route, row.details.repeats]).sort()).toEqual([
      ['authz.denied', 'EmbassiesController.list', 2],
      ['authz.denied', 'UsersAdminController.list', 24],
    ]);
    const [users] = summaries.filter((row) => row.details.route === 'UsersAdminController.list');
    expect(users.details).toMatchObject({ permission: 'users:manage', windowStart: expect.any(String) as string, windowEnd: expect.any(String) as string });
    expect(new Date(String(users.details.windowEnd)).getTime() - new Date(String(users.details.windowStart)).getTime()).toBe(HOUR);
    // The new hour starts with an event in full again.
    expect(appended.filter((row) => row.action === 'authz.denied').map((row) => row.details.route)).toEqual(['UsersAdminController.list']);
    await expect(countedOf(userId)).resolves.toEqual([{ route: 'UsersAdminController.list', repeats: 0 }]);

    // The trail itself stays append-only.
    await expect(querySql(app.database.url, `UPDATE audit_events SET details = '{}' WHERE id = $1::bigint`, [users.id])).rejects.toThrow(/append-only/);
  });
});

it('counts the refusals of unknown e-mails together, whoever sends them', async () => {
  app.clock.advance(HOUR);
  const unknownRefusals = `action = 'auth.login-refused' AND details->>'reason' = 'unknown-account'`;
  const [before] = await querySql<{ n: number }>(app.database.url, `SELECT count(*)::int AS n FROM audit_events WHERE ${unknownRefusals}`);
  for (let i = 0; i < 8; i += 1) {
    await expect(app.client.login(`nobody-${i}@cast.egide.test`, 'a passphrase that opens nothing', '123456')).rejects.toMatchObject({ status: 401 });
  }
  const [after] = await querySql<{ n: number }>(app.database.url, `SELECT count(*)::int AS n FROM audit_events WHERE ${unknownRefusals}`);
  const counted = await querySql<{ repeats: number; actor_id: string | null }>(
    app.database.url,
    `SELECT repeats, actor_id FROM audit_repeats WHERE ${unknownRefusals}`,
  );
  expect(after.n - before.n).toBe(1);
  expect(counted).toEqual([{ repeats: 7, actor_id: null }]);
});
