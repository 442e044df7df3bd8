/**
 * The SDK's stale-generation retry against the real server (docs/sdk.md, "The
 * stale-generation retry"): a member whose device opened the team keys before another
 * member rotated them creates a case with those keys. The server refuses the wrap of the
 * superseded generation (409 stale-generation, nothing written); the SDK refreshes the
 * keys under the same trust rules, re-seals the wrap and the blind indexes to the new
 * generation, keeps the revision, and sends once more under the same Idempotency-Key.
 */
import { createCase, findDuplicates, getCase } from '../../src/client/case-flow';
import { openMyTeamKeys, rotateTeam } from '../../src/client/team-keys-flow';
import { readyCrypto } from '../../src/crypto/protocol-hash';
import { startCastApp, type CastApp } from '../support/cast';
import { querySql } from '../support/test-database';
import { setUpEmbassyTeams, type EmbassyTeams } from '../support/teams';
import { newCase } from './case-factory';

let app: CastApp;
let teams: EmbassyTeams;

beforeAll(async () => {
  await readyCrypto();
  app = await startCastApp();
  teams = await setUpEmbassyTeams(app);
});

afterAll(async () => {
  await app.close();
});

it('creates a case sealed with keys opened before a rotation: refused once, re-sealed to the new generation, found under its index', async () => {
  const writer = teams.sessions.contactA1;
  const staleKeys = await openMyTeamKeys(writer);
  const before = staleKeys.current.generation;
  await rotateTeam(teams.sessions.contactA2);

  const created = await createCase(writer, newCase('stale-keys'), { teamKeys: staleKeys });

  const wraps = await querySql<{ generation: number }>(app.database.url, `SELECT generation FROM data_key_wraps WHERE record_id = $1`, [created.id]);
  expect(wraps.map((wrap) => wrap.generation)).toEqual([before + 1]);
  const written = await querySql<{ n: number }>(app.database.url, `SELECT count(*)::int AS n FROM cases WHERE id = $1`, [created.id]);
  expect(written[0].n).toBe(1);
  await expect(getCase(teams.sessions.contactA2, created.id)).resolves.toMatchObject({ content: { identity: { fullName: 'Defender stale-keys' } } });
  // Indexed under the new generation's key: found without re-indexing.
  await expect(findDuplicates(teams.sessions.contactA2, { passport: 'P-stale-keys' })).resolves.toMatchObject([{ caseId: created.id }]);
});
