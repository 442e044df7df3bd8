/**
 * The canary: cases and timeline events written through the SDK with distinctive
 * strings in every sealed field and event body, updated, transferred and searched; then
 * every text-like column (text, varchar, char, jsonb, bytea, arrays of text) of every
 * table of the test database, and the server's captured log, must contain none of them.
 * The server stores ciphertext and clear workflow metadata, nothing else.
 */
import { randomBytes } from 'node:crypto';
import { addCaseEvent, createCase, findDuplicates, getCase, listCaseEvents, transferCase, updateCase, type CaseContent } from '../../src/client/case-flow';
import { readyCrypto } from '../../src/crypto/protocol-hash';
import { startCastApp, type CastApp } from '../support/cast';
import { querySql } from '../support/test-database';
import { compareFingerprints, setUpEmbassyTeams, type EmbassyTeams } from '../support/teams';
import { newCase } from './case-factory';

let app: CastApp;
let teams: EmbassyTeams;
const run = randomBytes(6).toString('hex');
const canaries: string[] = [];

function canary(label: string): string {
  const value = `CANARY${label}${run}`;
  canaries.push(value);
  return value;
}

function content(label: string): CaseContent {
  return {
    identity: {
      fullName: canary(`${label}name`),
      aliases: [canary(`${label}alias`)],
      birthDate: canary(`${label}birth`),
      gender: canary(`${label}gender`),
      nationality: canary(`${label}nationality`),
      passportNumbers: [canary(`${label}passport`)],
    },
    contacts: { phone: canary(`${label}phone`), signal: canary(`${label}signal`) },
    location: { city: canary(`${label}city`), address: canary(`${label}address`) },
    narrative: canary(`${label}narrative`),
    protectionMeasures: [canary(`${label}measure`)],
    family: [{ name: canary(`${label}child`) }],
    notes: canary(`${label}notes`),
  };
}

beforeAll(async () => {
  await readyCrypto();
  app = await startCastApp();
  teams = await setUpEmbassyTeams(app);
});

afterAll(async () => {
  await app.close();
});

it('leaves no sealed string in any column of any table, nor in the server log', async () => {
  const a1 = teams.sessions.contactA1;
  const created = [];
  for (const label of ['one', 'two', 'three']) {
    const made = await createCase(a1, { ...newCase(label), content: content(label) });
    created.push(made);
    await addCaseEvent(a1, made.id, { type: 'THREAT_INCIDENT', body: { what: canary(`${label}incident`) } });
    await addCaseEvent(a1, made.id, { type: 'CONTACT', body: canary(`${label}contact`) });
  }
  await updateCase(teams.sessions.contactA2, created[0].id, { version: created[0].version, content: { notes: canary('updatednotes') } });
  await transferCase(a1, created[1].id, { targetEmbassyId: app.cast.ids.embassyB, expectedTeamFingerprint: teams.fingerprints.embassyB });
  await findDuplicates(a1, { name: canary('probe') });
  await compareFingerprints(app, teams.sessions.contactB1, 'contactA1');
  const opened = await getCase(teams.sessions.contactB1, created[1].id);
  expect(opened.content.identity.fullName).toBe(`CANARYtwoname${run}`);
  expect((await listCaseEvents(teams.sessions.contactA2, created[0].id)).items).toHaveLength(2);

  const columns = await querySql<{ table_name: string; column_name: string; data_type: string }>(
    app.database.url,
    `SELECT table_name, column_name, data_type FROM information_schema.columns
      WHERE table_schema = 'public'
        AND (data_type IN ('text', 'character varying', 'character', 'jsonb', 'json', 'bytea')
             OR (data_type = 'ARRAY' AND udt_name IN ('_text', '_varchar')))`,
  );
  expect(columns.map((c) => `${c.table_name}.${c.column_name}`)).toEqual(expect.arrayContaining(['cases.envelopes', 'case_events.body', 'audit_events.details']));
  const found: string[] = [];
  for (const column of columns) {
    const text = column.data_type === 'bytea' ? `encode("${column.column_name}", 'escape')` : `"${column.column_name}"::text`;
    const rows = await querySql<{ n: number }>(
      app.database.url,
      `SELECT count(*)::int AS n FROM "${column.table_name}" WHERE ${text} LIKE '%' || $1 || '%'`,
      [`CANARY`],
    );
    if (rows[0].n > 0) found.push(`${column.table_name}.${column.column_name}`);
  }
  expect(found).toEqual([]);
  const log = app.log.text();
  expect(log.length).toBeGreaterThan(0);
  expect(canaries.filter((value) => log.includes(value))).toEqual([]);
  expect(log).not.toContain('CANARY');
});
