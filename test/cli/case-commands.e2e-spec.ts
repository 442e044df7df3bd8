/**
 * `egide case …` against the real server, with embassy teams set up (test/support/teams):
 * create from a JSON file (and refusals of a bad file or a missing terminal), the list
 * as a table and as JSON, show decrypted (with its timeline) by the other contact of the
 * embassy, update on a version (stale → 6), status moves, events from a file and from
 * prompts, duplicate search, transfer only after consent and the typed team fingerprint,
 * shred only after the typed confirmation, and the shredded outcome (exit 9) afterwards.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCastApp, type CastApp, type CastKey } from '../support/cast';
import { setUpEmbassyTeams, type EmbassyTeams } from '../support/teams';
import { CliHarness } from './cli-harness';

let app: CastApp;
let teams: EmbassyTeams;
const harnesses: CliHarness[] = [];
let a1: CliHarness;
let a2: CliHarness;
let b1: CliHarness;

async function signedIn(key: CastKey): Promise<CliHarness> {
  const cli = new CliHarness(app.url);
  harnesses.push(cli);
  const member = app.cast.members[key];
  expect((await cli.login(member.email, member.password, app.freshTotp(key))).code).toBe(0);
  return cli;
}

/** Writes a JSON input file into the harness's private home. */
function jsonFile(cli: CliHarness, name: string, value: unknown): string {
  const path = join(cli.home, name);
  writeFileSync(path, JSON.stringify(value), { mode: 0o600 });
  return path;
}

interface CaseJson {
  id: string;
  reference: string;
  version: number;
  status: string;
  riskLevel: string;
  embassyId: string;
  assignedToId: string | null;
  content?: { identity: { fullName: string }; narrative?: string; notes?: string };
  events?: { type: string; body: { summary?: string } | null }[];
}

async function json<T>(cli: CliHarness, args: string[]): Promise<T> {
  const result = await cli.run([...args, '--json']);
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: expect.any(String) as string });
  return JSON.parse(result.stdout) as T;
}

const NEW_CASE = {
  riskLevel: 'HIGH',
  threatTypes: ['DEATH_THREAT', 'SURVEILLANCE'],
  defenderGroups: ['ENVIRONMENTAL_LAND', 'WOMEN_DEFENDER'],
  countryOfActivity: 'ke',
  nextReviewAt: '2031-03-01',
  consentToTransfer: false,
  consentToRefugeSharing: true,
  content: {
    identity: { fullName: 'Achieng Nyambura Otieno', nationality: 'Kenyan', passportNumbers: ['AK0000417'] },
    narrative: 'Community land committee chair; threatened after a court petition.',
    protectionMeasures: [{ category: 'physical security', measure: 'security lights' }],
  },
};

beforeAll(async () => {
  app = await startCastApp();
  teams = await setUpEmbassyTeams(app);
  a1 = await signedIn('contactA1');
  a2 = await signedIn('contactA2');
  b1 = await signedIn('contactB1');
});

afterAll(async () => {
  for (const cli of harnesses) cli.cleanup();
  for (const session of Object.values(teams.sessions)) session.lock();
  await app.close();
});

describe('create', () => {
  it('creates a case from a JSON file, sealed and signed on the client', async () => {
    const created = await json<CaseJson>(a1, ['case', 'create', '--file', jsonFile(a1, 'case.json', NEW_CASE)]);
    expect(created).toMatchObject({ status: 'OPEN', version: 1, riskLevel: 'HIGH', embassyId: app.cast.ids.embassyA });
    expect(created.reference).toMatch(/^KE-\d{4}-\d{4}$/);
    // The server holds ciphertext only: the name is nowhere in its answer.
    expect(JSON.stringify(created)).not.toContain('Achieng');

    const text = await a1.run(['case', 'create', '--file', jsonFile(a1, 'case.json', NEW_CASE)]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Case:\s+KE-\d{4}-\d{4} \(/);
  });

  it('names every invalid field of a file (exit 7) and asks for --file without a terminal (exit 2)', async () => {
    const bad = { ...NEW_CASE, riskLevel: 'EXTREME', threatTypes: ['GOSSIP'], colour: 'red', content: { narrative: 'no identity' } };
    const refused = await a1.run(['case', 'create', '--file', jsonFile(a1, 'bad.json', bad)]);
    expect(refused.code).toBe(7);
    for (const field of ['riskLevel', 'threatTypes[0]', 'colour', 'content.identity']) expect(refused.stderr).toContain(`  ${field}: `);
    expect(refused.stderr).not.toContain('no identity');

    const noTerminal = await a1.run(['case', 'create']);
    expect(noTerminal).toMatchObject({ code: 2, stderr: expect.stringContaining('--file case.json') as string });
  });

  it('creates a case from answers to prompts', async () => {
    const answers = ['medium', 'JUDICIAL_HARASSMENT, smear_campaign', 'LAWYER', 'UG', '2031-01-10', 'yes', 'no', 'Okello Prompted Mugisha', '', 'Ugandan', 'B0000555', 'Defence lawyer.'];
    const created = await a1.run(['case', 'create', '--json'], { answers });
    expect(created.code).toBe(0);
    expect(created.prompts).toHaveLength(answers.length);
    expect(JSON.parse(created.stdout)).toMatchObject({ riskLevel: 'MEDIUM', threatTypes: ['JUDICIAL_HARASSMENT', 'SMEAR_CAMPAIGN'], countryOfActivity: 'UG', consentToTransfer: true });
  });
});

describe('the life of a case', () => {
  let created: CaseJson;

  beforeAll(async () => {
    created = await json<CaseJson>(a1, ['case', 'create', '--file', jsonFile(a1, 'life.json', NEW_CASE)]);
  });

  it('lists cases as a table on a terminal and as the page in JSON', async () => {
    const table = await a2.run(['case', 'list'], { tty: true });
    expect(table.code).toBe(0);
    const [header, ...rows] = table.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID\s+REFERENCE\s+STATUS\s+RISK\s+COUNTRY\s+THREAT TYPES\s+NEXT REVIEW\s+VERSION$/);
    expect(rows.find((row) => row.includes(created.reference))).toMatch(/OPEN\s+HIGH\s+KE\s+DEATH_THREAT,SURVEILLANCE\s+2031-03-01\s+1$/);

    const page = await json<{ items: CaseJson[]; nextCursor: string | null }>(a2, ['case', 'list', '--risk', 'HIGH', '--country', 'ke']);
    expect(page.items.map((item) => item.id)).toContain(created.id);
    const filtered = await json<{ items: CaseJson[] }>(a2, ['case', 'list', '--status', 'CLOSED']);
    expect(filtered.items).toEqual([]);
  });

  it('shows the decrypted case to the other contact of the embassy', async () => {
    const shown = await a2.run(['case', 'show', created.id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`Case ${created.reference}`);
    expect(shown.stdout).toMatch(/Full name:\s+Achieng Nyambura Otieno/);
    expect(shown.stdout).toContain('Community land committee chair; threatened after a court petition.');
    expect(shown.stdout).toMatch(/Protection measures\n {2}- Category:\s+physical security/);
    expect(shown.stdout).toContain(app.cast.members.contactA1.fingerprint);

    const asJson = await json<CaseJson>(a2, ['case', 'show', created.id]);
    expect(asJson.content?.identity.fullName).toBe('Achieng Nyambura Otieno');
  });

  it('updates on the version it was based on; a stale version is a conflict (exit 6)', async () => {
    const change = jsonFile(a1, 'change.json', { riskLevel: 'CRITICAL', content: { notes: 'Calls after 19:00 only.' } });
    expect((await a1.run(['case', 'update', created.id, '--file', change])).code).toBe(2);
    const updated = await json<CaseJson>(a1, ['case', 'update', created.id, '--version', '1', '--file', change]);
    expect(updated).toMatchObject({ version: 2, riskLevel: 'CRITICAL' });
    const stale = await a1.run(['case', 'update', created.id, '--version', '1', '--next-review', '2031-04-01']);
    expect(stale.code).toBe(6);
    const byOption = await json<CaseJson>(a1, ['case', 'update', created.id, '--version', '2', '--next-review', '2031-04-01', '--consent-transfer', 'yes']);
    expect(byOption).toMatchObject({ version: 3, nextReviewAt: '2031-04-01T00:00:00.000Z', consentToTransfer: true });
    expect((await json<CaseJson>(a2, ['case', 'show', created.id])).content?.notes).toBe('Calls after 19:00 only.');
  });

  it('moves the status along the table, refuses an illegal move (exit 6), and assigns', async () => {
    expect(await json<CaseJson>(a1, ['case', 'status', created.id, 'ASSESSING', '--version', '3'])).toMatchObject({ status: 'ASSESSING', version: 4 });
    const illegal = await a1.run(['case', 'status', created.id, 'MONITORING', '--version', '4']);
    expect(illegal.code).toBe(6);
    expect((await a1.run(['case', 'status', created.id, 'ASSESSING'])).code).toBe(2);
    const assigned = await json<CaseJson>(a1, ['case', 'assign', created.id, 'me', '--version', '4']);
    expect(assigned).toMatchObject({ version: 5, assignedToId: app.cast.members.contactA1.userId });
  });

  it('adds timeline events from a file and from prompts; show --events opens them', async () => {
    const incident = jsonFile(a1, 'event.json', { type: 'THREAT_INCIDENT', body: { occurredOn: '2026-02-01', summary: 'Followed by two men on a motorbike.' } });
    expect((await a1.run(['case', 'event', created.id, '--file', incident])).code).toBe(0);
    const prompted = await a2.run(['case', 'event', created.id, '--type', 'MEASURE'], { answers: ['Door reinforced.', '2026-02-03'] });
    expect(prompted.code).toBe(0);
    expect(prompted.prompts).toEqual(['What happened (one line): ', 'When (YYYY-MM-DD, empty for today): ']);

    const shown = await a1.run(['case', 'show', created.id, '--events']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/STATUS_CHANGE {2}OPEN → ASSESSING/);
    expect(shown.stdout).toMatch(/THREAT_INCIDENT {2}by /);
    expect(shown.stdout).toContain('Followed by two men on a motorbike.');
    expect(shown.stdout).toContain('Door reinforced.');
    const asJson = await json<CaseJson>(a1, ['case', 'show', created.id, '--events']);
    expect(asJson.events?.map((event) => event.type)).toEqual(['STATUS_CHANGE', 'THREAT_INCIDENT', 'MEASURE']);
  });

  it('finds duplicates by name (file) or passport (prompt), within the embassy only', async () => {
    const byName = await json<{ candidates: { caseId: string }[] }>(a2, ['case', 'dupes', '--file', jsonFile(a2, 'probe.json', { name: 'achieng  nyambura OTIENO' })]);
    expect(byName.candidates.map((candidate) => candidate.caseId)).toContain(created.id);
    const byPassport = await a2.run(['case', 'dupes', '--by', 'passport', '--json'], { answers: ['ak 0000417'] });
    expect(JSON.parse(byPassport.stdout)).toMatchObject({ candidates: expect.arrayContaining([expect.objectContaining({ caseId: created.id })]) as unknown });
    expect(await json<{ candidates: unknown[] }>(b1, ['case', 'dupes', '--file', jsonFile(b1, 'probe.json', { name: 'Achieng Nyambura Otieno' })])).toEqual({ candidates: [] });
    expect((await a2.run(['case', 'dupes'])).code).toBe(2);
  });
});

describe('transfer', () => {
  it('needs consent or an override reason, and the typed fingerprint of the receiving team', async () => {
    const created = await json<CaseJson>(a1, ['case', 'create', '--file', jsonFile(a1, 'transfer.json', NEW_CASE)]);
    const target = ['case', 'transfer', created.id, '--to', app.cast.ids.embassyB];

    const withoutConsent = await a1.run([...target, '--fingerprint', teams.fingerprints.embassyB]);
    expect(withoutConsent.code).toBe(6);
    expect(withoutConsent.stderr).toContain('--consent-transfer yes');

    const wrong = await a1.run([...target, '--override-reason', 'IMMINENT_DANGER_TO_LIFE', '--fingerprint', teams.fingerprints.embassyA]);
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toContain(teams.fingerprints.embassyB);
    expect(wrong.stderr).toContain('nothing was sealed or sent');
    expect((await a1.run([...target, '--override-reason', 'IMMINENT_DANGER_TO_LIFE'])).code).toBe(2);
    expect((await a1.run(['case', 'show', created.id])).code).toBe(0);

    const moved = await a1.run([...target, '--override-reason', 'IMMINENT_DANGER_TO_LIFE', '--json'], { answers: [teams.fingerprints.embassyB] });
    expect(moved.code).toBe(0);
    expect(moved.prompts).toEqual(['Type the team fingerprint they read to you: ']);
    const response = JSON.parse(moved.stdout) as { reference: string; override: boolean; toEmbassyId: string };
    expect(response).toMatchObject({ override: true, toEmbassyId: app.cast.ids.embassyB });
    expect(response.reference).toMatch(/^CO-\d{4}-\d{4}$/);

    expect((await a1.run(['case', 'show', created.id])).code).toBe(5);
    // Nothing at embassy B vouches for its author at embassy A: exit 10 and what to compare.
    const author = app.cast.members.contactA1;
    const unverified = await b1.run(['case', 'show', created.id]);
    expect(unverified.code).toBe(10);
    expect(unverified.stdout).toBe('');
    expect(unverified.stderr).toContain(author.fingerprint);
    expect(unverified.stderr).toContain(`egide contacts verify ${author.userId}`);
    expect((await b1.run(['contacts', 'verify', author.userId, '--fingerprint', teams.fingerprints.embassyA])).code).toBe(4);
    const verified = await b1.run(['contacts', 'verify', author.userId, '--fingerprint', author.fingerprint]);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain(author.email);
    const received = await b1.run(['case', 'show', created.id, '--events']);
    expect(received.code).toBe(0);
    expect(received.stdout).toMatch(/Full name:\s+Achieng Nyambura Otieno/);
    expect(received.stdout).toContain(`${created.reference} → ${response.reference} (override: IMMINENT_DANGER_TO_LIFE)`);
    expect((await b1.run(['case', 'reindex', created.id])).code).toBe(0);
  });
});

describe('shred', () => {
  it('shreds only after the typed confirmation; afterwards every command says the case was shredded (exit 9)', async () => {
    const created = await json<CaseJson>(a1, ['case', 'create', '--file', jsonFile(a1, 'shred.json', NEW_CASE)]);
    const expected = `SHRED ${created.reference}`;

    const mistyped = await a2.run(['case', 'shred', created.id], { answers: ['SHRED'] });
    expect(mistyped.code).toBe(4);
    expect(mistyped.stderr).toContain('nothing was shredded');
    expect((await a2.run(['case', 'shred', created.id])).code).toBe(2);
    expect((await a2.run(['case', 'show', created.id])).code).toBe(0);

    const shredded = await a2.run(['case', 'shred', created.id], { answers: [expected] });
    expect(shredded.code).toBe(0);
    expect(shredded.prompts).toEqual([`Type "${expected}" to shred it: `]);
    expect(shredded.stdout).toContain(`Shredded ${created.reference}`);

    const show = await a1.run(['case', 'show', created.id]);
    expect(show.code).toBe(9);
    expect(show.stderr).toContain(`case ${created.reference} was shredded on`);
    expect(show.stdout).toBe('');
    expect((await a1.run(['case', 'update', created.id, '--version', '2', '--risk', 'LOW'])).code).toBe(9);
    expect((await a1.run(['case', 'shred', created.id, '--confirm', expected])).code).toBe(9);
    const listed = await json<{ items: (CaseJson & { shreddedAt: string | null })[] }>(a1, ['case', 'list', '--limit', '200']);
    expect(listed.items.find((item) => item.id === created.id)?.shreddedAt).not.toBeNull();
  });
});

it('refuses case commands to accounts that are not embassy contacts (exit 4)', async () => {
  const admin = await signedIn('admin');
  const result = await admin.run(['case', 'list']);
  expect(result.code).toBe(4);
  expect(result.stderr).toContain('only embassy contacts');
});

describe('by reference', () => {
  it('takes the reference wherever a case id goes: show, status, assign, event, update', async () => {
    const created = await json<CaseJson>(a1, ['case', 'create', '--file', jsonFile(a1, 'by-reference.json', NEW_CASE)]);
    const shown = await a2.run(['case', 'show', created.reference]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`Case ${created.reference}`);
    expect(shown.stdout).toMatch(/Full name:\s+Achieng Nyambura Otieno/);
    // Any case, as people type it.
    expect((await json<CaseJson>(a2, ['case', 'show', created.reference.toLowerCase()])).id).toBe(created.id);

    expect(await json<CaseJson>(a1, ['case', 'status', created.reference, 'ASSESSING', '--version', '1'])).toMatchObject({ id: created.id, status: 'ASSESSING', version: 2 });
    expect(await json<CaseJson>(a1, ['case', 'assign', created.reference, 'me', '--version', '2'])).toMatchObject({ id: created.id, version: 3 });
    expect(await json<CaseJson>(a1, ['case', 'update', created.reference, '--version', '3', '--risk', 'CRITICAL'])).toMatchObject({ id: created.id, riskLevel: 'CRITICAL' });
    const event = jsonFile(a1, 'ref-event.json', { type: 'CONTACT', body: { summary: 'Called back.' } });
    expect((await a1.run(['case', 'event', created.reference, '--file', event])).code).toBe(0);
    expect((await a2.run(['case', 'show', created.reference, '--events'])).stdout).toContain('Called back.');
  });

  it('says which moves are allowed when one is not (exit 6)', async () => {
    const created = await json<CaseJson>(a1, ['case', 'create', '--file', jsonFile(a1, 'illegal.json', NEW_CASE)]);
    const fromOpen = await a1.run(['case', 'status', created.reference, 'CLOSED', '--version', '1']);
    expect(fromOpen.code).toBe(6);
    expect(fromOpen.stderr).toContain('egide: OPEN cannot move to CLOSED; allowed: ASSESSING\n');
    expect(fromOpen.stderr).toMatch(/request id: \S+/);
    expect((await a1.run(['case', 'status', created.id, 'ASSESSING', '--version', '1'])).code).toBe(0);
    const fromAssessing = await a1.run(['case', 'status', created.id, 'MONITORING', '--version', '2']);
    expect(fromAssessing.code).toBe(6);
    expect(fromAssessing.stderr).toContain('egide: ASSESSING cannot move to MONITORING; allowed: PROTECTION_ACTIVE, CLOSED\n');
  });

  it("answers another embassy's reference and an unknown one as not found (5), a malformed one as invalid (7)", async () => {
    const created = await json<CaseJson>(a1, ['case', 'create', '--file', jsonFile(a1, 'elsewhere.json', NEW_CASE)]);
    expect((await b1.run(['case', 'show', created.reference])).code).toBe(5);
    expect((await b1.run(['case', 'status', created.reference, 'ASSESSING', '--version', '1'])).code).toBe(5);
    expect((await a1.run(['case', 'show', 'KE-2026-999999'])).code).toBe(5);
    const malformed = await a1.run(['case', 'show', 'KE-26-42']);
    expect(malformed.code).toBe(7);
    expect(malformed.stderr).toContain('neither a case id (UUID) nor a case reference like KE-2026-0042');
  });

  it('shreds by reference; afterwards the reference still names the shredded case (exit 9)', async () => {
    const created = await json<CaseJson>(a1, ['case', 'create', '--file', jsonFile(a1, 'ref-shred.json', NEW_CASE)]);
    const expected = `SHRED ${created.reference}`;
    expect((await a2.run(['case', 'shred', created.reference, '--confirm', expected])).code).toBe(0);
    const show = await a1.run(['case', 'show', created.reference]);
    expect(show.code).toBe(9);
    expect(show.stderr).toContain(`case ${created.reference} was shredded on`);
  });
});
