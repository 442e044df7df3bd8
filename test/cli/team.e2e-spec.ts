/**
 * `egide team …` against the real server: the first contact of embassy A creates the
 * team key, the second waits for it, the grant goes through only when the typed
 * fingerprint matches, both then hold the same verified key, and a rotation reports
 * progress (plain lines for logs, a bar on a terminal); a rotation left half way is
 * finished by another member with `--resume`. Administrators hold no key.
 */
import { randomUUID } from 'node:crypto';
import { generateDataKey, sealDataKeyToTeam, signDataKeyWrap } from '../../src/client/crypto';
import { openMyTeamKeys, rotateTeam, type RotationProgress } from '../../src/client/team-keys-flow';
import { startCastApp, type CastApp, type CastKey } from '../support/cast';
import { querySql } from '../support/test-database';
import { CliHarness } from './cli-harness';

let app: CastApp;
const harnesses: CliHarness[] = [];
let first: CliHarness;
let second: CliHarness;

async function signedIn(key: CastKey): Promise<CliHarness> {
  const cli = new CliHarness(app.url);
  harnesses.push(cli);
  const member = app.cast.members[key];
  expect((await cli.login(member.email, member.password, app.freshTotp(key))).code).toBe(0);
  return cli;
}

interface TeamStatus {
  team: boolean;
  generation?: number;
  holding?: boolean;
  teamFingerprint?: string | null;
  holders?: { userId: string; fingerprint: string }[];
  pending?: { userId: string; fingerprint: string }[];
}

async function status(cli: CliHarness): Promise<TeamStatus> {
  const result = await cli.run(['team', 'status', '--json']);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as TeamStatus;
}

beforeAll(async () => {
  app = await startCastApp();
  first = await signedIn('contactA1');
  second = await signedIn('contactA2');
});

afterAll(async () => {
  for (const cli of harnesses) cli.cleanup();
  await app.close();
});

it('says there is no team key yet, then creates generation 1', async () => {
  const before = await first.run(['team', 'status']);
  expect(before).toMatchObject({ code: 0, stdout: expect.stringContaining('egide team create') as string });

  const created = await first.run(['team', 'create', '--json']);
  expect(created.code).toBe(0);
  expect(JSON.parse(created.stdout)).toMatchObject({ scopeId: app.cast.ids.embassyA, generation: 1 });
  expect(created.stderr).toContain('nobody vouched for you');
  expect((await second.run(['team', 'create'])).code).toBe(6);
});

it('shows the newcomer waiting, with their fingerprint', async () => {
  const seen = await status(first);
  expect(seen).toMatchObject({ team: true, generation: 1, holding: true });
  expect(seen.holders?.map((member) => member.userId)).toEqual([app.cast.members.contactA1.userId]);
  expect(seen.pending).toEqual([expect.objectContaining({ userId: app.cast.members.contactA2.userId, fingerprint: app.cast.members.contactA2.fingerprint })]);
  expect(await status(second)).toMatchObject({ holding: false, teamFingerprint: null });
  const table = await first.run(['team', 'status']);
  expect(table.stdout).toMatch(/Waiting for a grant \(1\):\nUSER\s+ROLE\s+FINGERPRINT/);
});

it('refuses case commands to the newcomer until granted (exit 11), telling it to read its own fingerprint to a member', async () => {
  const refused = await second.run(['case', 'list']);
  expect(refused.code).toBe(11);
  expect(refused.stderr).toContain('holds no grant of your scope');
  expect(refused.stderr).toContain('egide team grant');
  expect(refused.stderr).toContain(app.cast.members.contactA2.fingerprint);
  expect(refused.stdout).toBe('');
  // The same answer when the client finds it first (no grant to open), and for granting.
  for (const args of [['case', 'show', randomUUID()], ['team', 'grant'], ['team', 'rotate']]) {
    const early = await second.run(args);
    expect({ args, code: early.code }).toEqual({ args, code: 11 });
    expect(early.stderr).toContain(app.cast.members.contactA2.fingerprint);
  }
});

it('refuses to grant when the typed fingerprint does not match (exit 4), and without one in a script (exit 2)', async () => {
  const wrong = await first.run(['team', 'grant', '--fingerprint', '00000 00000 00000 00000 00000 00000 00000 00000']);
  expect(wrong.code).toBe(4);
  expect(wrong.stderr).toContain(app.cast.members.contactA2.fingerprint);
  expect(wrong.stderr).toContain('no key was granted');
  expect((await first.run(['team', 'grant'])).code).toBe(2);
  expect((await status(second)).holding).toBe(false);
});

it('grants after the user types the fingerprint the newcomer read out; both then hold the same key', async () => {
  const granted = await first.run(['team', 'grant', app.cast.members.contactA2.userId], { answers: [app.cast.members.contactA2.fingerprint] });
  expect(granted.code).toBe(0);
  expect(granted.prompts).toEqual(['Type the fingerprint the member read to you: ']);
  expect(granted.stdout).toBe(`Granted the team key to ${app.cast.members.contactA2.userId}.\n`);

  const mine = await status(first);
  const theirs = await status(second);
  expect(theirs).toMatchObject({ holding: true, generation: 1, pending: [] });
  expect(theirs.teamFingerprint).toMatch(/^\d{5}( \d{5}){7}$/);
  expect(theirs.teamFingerprint).toBe(mine.teamFingerprint);
});

it('rotates with plain progress lines off a terminal', async () => {
  const rotated = await first.run(['team', 'rotate', '--json']);
  expect(rotated.code).toBe(0);
  expect(JSON.parse(rotated.stdout)).toMatchObject({ generation: 2, grantsCreated: 2, dataKeysResealed: 0, state: 'COMPLETED', resumedRotation: null });
  expect(rotated.stderr.split('\n')).toEqual(
    expect.arrayContaining([
      'opening the current team key',
      'checked 0 data-key wraps',
      'rotation started to generation 2: 0 data keys to re-seal',
      'generation 2 in place',
    ]),
  );
  expect(rotated.stderr).not.toContain('\r');
  expect(await status(second)).toMatchObject({ holding: true, generation: 2 });
});

it('rotates with a progress bar on a terminal', async () => {
  const rotated = await second.run(['team', 'rotate'], { tty: true });
  expect(rotated.code).toBe(0);
  expect(rotated.stderr).toMatch(/\r\[#{30}\] 100% generation 3 in place/);
  expect(rotated.stdout).toMatch(/Generation:\s+3/);
});

it('finishes a rotation left half way with `team rotate --resume`, from another member, then has none to resume (exit 5)', async () => {
  const sdk = await app.login('contactA1');
  const { current } = await openMyTeamKeys(sdk);
  for (let i = 0; i < 25; i += 1) {
    const wrap = signDataKeyWrap(sealDataKeyToTeam(generateDataKey(), current), { entity: 'visa_request', recordId: randomUUID(), writerUserId: sdk.user.id }, sdk.keys.signSecretKey);
    await querySql(
      app.database.url,
      `INSERT INTO data_key_wraps (key_id, scope_id, generation, sealed, entity, record_id, writer_id, signature) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [wrap.keyId, wrap.scopeId, wrap.generation, wrap.sealed, wrap.entity, wrap.recordId, wrap.writerUserId, wrap.signature],
    );
  }
  // The connection drops after the first chunk of ten: generation 4 is current, 15 keys still await it.
  const cut = (step: RotationProgress): void => {
    if (step.stage === 'resealing') throw new Error('connection lost');
  };
  await expect(rotateTeam(sdk, cut, undefined, { chunkSize: 10 })).rejects.toThrow('connection lost');

  const resumed = await second.run(['team', 'rotate', '--resume', '--json']);
  expect(resumed.code).toBe(0);
  expect(JSON.parse(resumed.stdout)).toMatchObject({ generation: 4, state: 'COMPLETED', dataKeysTotal: 25, dataKeysResealed: 25, resumedRotation: null });
  expect(resumed.stderr.split('\n')).toEqual(
    expect.arrayContaining(['resuming the rotation to generation 4: 25 data keys to re-seal', 're-sealed 10 of 25 data keys', 're-sealed 25 of 25 data keys']),
  );
  const again = await second.run(['team', 'rotate', '--resume']);
  expect(again.code).toBe(5);
  expect(again.stderr).toContain('no rotation of your scope is in progress');
});

it('refuses team commands to an administrator (exit 4)', async () => {
  const admin = await signedIn('admin');
  const result = await admin.run(['team', 'status']);
  expect(result.code).toBe(4);
  expect(result.stderr).toContain('hold no team key');
});
