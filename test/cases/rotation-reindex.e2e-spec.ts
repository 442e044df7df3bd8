/**
 * A team rotation changes the embassy's blind-index key: cases indexed under the old
 * generation are not found by a search under the new one until they are re-indexed,
 * which `reindexEmbassyCases` does for every live case (shredded ones are skipped).
 */
import { createCase, findDuplicates, reindexEmbassyCases, shredCase } from '../../src/client/case-flow';
import { rotateTeam } from '../../src/client/team-keys-flow';
import { startCastApp, type CastApp } from '../support/cast';
import { setUpEmbassyTeams, type EmbassyTeams } from '../support/teams';
import { newCase } from './case-factory';

let app: CastApp;
let teams: EmbassyTeams;

beforeAll(async () => {
  app = await startCastApp();
  teams = await setUpEmbassyTeams(app);
});

afterAll(async () => {
  await app.close();
});

it('finds every live case again after rotation and re-indexing', async () => {
  const contact = teams.sessions.contactA1;
  const kept = await createCase(contact, newCase('rotation-kept', { content: { identity: { fullName: 'Wanjiru Kamau', passportNumbers: ['KE998877'] } } }));
  const gone = await createCase(contact, newCase('rotation-gone', { content: { identity: { fullName: 'Wanjiru Kamau' } } }));
  await shredCase(contact, gone.id, gone.reference);
  await expect(findDuplicates(contact, { name: 'wanjiru kamau' })).resolves.toMatchObject([{ caseId: kept.id }]);

  await rotateTeam(contact);
  // Searched under generation 2's key, the generation-1 indexes do not match.
  await expect(findDuplicates(contact, { name: 'wanjiru kamau' })).resolves.toEqual([]);

  const progress: number[] = [];
  await expect(reindexEmbassyCases(contact, (done) => progress.push(done))).resolves.toBe(1);
  expect(progress).toEqual([1]);
  await expect(findDuplicates(contact, { name: 'Wanjiru  KAMAU' })).resolves.toMatchObject([{ caseId: kept.id }]);
  await expect(findDuplicates(teams.sessions.contactA2, { passport: 'ke-998877' })).resolves.toMatchObject([{ caseId: kept.id }]);
});
