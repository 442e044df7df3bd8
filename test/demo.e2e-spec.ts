/**
 * `npm run demo` in-process: runDemo starts its own server on a database it creates on
 * the test PostgreSQL (the template already has an administrator, so the demo cannot
 * run on a clone), plays the whole story through the SDK, prints one decrypted case and
 * the summary, and drops its database. Also: a server given without its setup token is
 * refused with a message saying what to set.
 */
import { runDemo } from '../scripts/demo';
import { querySql, TEST_ENV } from './support/test-database';

function adminUrl(): string {
  const url = process.env[TEST_ENV.adminUrl];
  if (url === undefined) throw new Error(`${TEST_ENV.adminUrl} is not set: run through jest's e2e project`);
  return url;
}

async function demoDatabases(): Promise<string[]> {
  const rows = await querySql<{ datname: string }>(adminUrl(), `SELECT datname FROM pg_database WHERE datname LIKE 'egide_demo_%'`);
  return rows.map((row) => row.datname);
}

it('runs the whole story on a database of its own, prints one decrypted case and the counts, and drops the database', async () => {
  const before = await demoDatabases();
  let printed = '';
  const result = await runDemo({ databaseUrl: adminUrl(), out: { write: (text) => void (printed += text) } });

  expect(result.counts).toEqual({ embassies: 2, organisations: 1, users: 5, cases: 10, events: 49, transfers: 1, shreds: 1 });
  expect(printed).toMatch(/^Summary: 2 embassies, 1 organisation, 5 users, 10 cases, 49 events, 1 transfer, 1 shred; total \d+\.\d\d s$/m);
  expect(result.phases.map((phase) => phase.name)).toEqual([
    'server',
    'administrator',
    'embassies and organisation',
    'contacts: invite, enrol, MFA',
    'team keys: create and grant',
    'cases and timelines',
    'transfer Nairobi → Bogotá',
    'emergency shred',
    'open the transferred case',
  ]);

  // The shown case: opened by a Bogotá contact after the transfer, every sealed field readable.
  expect(result.shownCase.reference).toMatch(/^CO-\d{4}-\d{4}$/);
  expect(printed).toContain(`Case ${result.shownCase.reference}`);
  expect(printed).toMatch(/Full name:\s+Rosa Elena Quintero Ipia/);
  for (const section of ['Contacts', 'Location', 'Narrative', 'Protection measures', 'Family', 'Notes']) expect(printed).toContain(`\n${section}\n`);
  expect(printed).toContain('UN Environment Assembly');
  expect(printed).toMatch(/TRANSFER {2}KE-\d{4}-\d{4} → CO-\d{4}-\d{4} \(with the defender’s consent\)/);
  expect(printed).toContain('Met on arrival at the airport');
  expect(result.shownEvents).toHaveLength(9);
  expect(printed).toContain(`Timeline (${result.shownEvents.length} events`);

  // Decrypted content of no other case is printed, nor any secret.
  for (const name of ['Halima', 'Ssekandi', 'Omondi', 'Meron', 'Lual', 'Angulo', 'Sotelo', 'Marcano', 'Pineda']) expect(printed).not.toContain(name);
  expect(printed).not.toMatch(/recovery|otpauth|setup token/i);

  await expect(demoDatabases()).resolves.toEqual(before);
}, 180_000);

it('refuses a server given without its setup token, saying what to set', async () => {
  await expect(runDemo({ url: 'http://127.0.0.1:9', out: { write: () => undefined } })).rejects.toThrow('EGIDE_SETUP_TOKEN');
});
