/**
 * Display names in the CLI: `egide admin invite --name` sets it (a control character is
 * refused, exit 7 naming `displayName`); the member then appears as
 * `Name <e-mail> (scope)` in `egide team status` and in the grant prompt, and their own
 * `whoami` and the admin's `user show` print the name.
 */
import { base32Decode, totpCode, totpStep } from '../../src/auth/totp';
import { startCastApp, type CastApp, type CastKey } from '../support/cast';
import { CliHarness } from './cli-harness';

let app: CastApp;
const harnesses: CliHarness[] = [];

async function signedIn(key: CastKey): Promise<CliHarness> {
  const cli = new CliHarness(app.url);
  harnesses.push(cli);
  const member = app.cast.members[key];
  expect((await cli.login(member.email, member.password, app.freshTotp(key))).code).toBe(0);
  return cli;
}

function codeAtServerTime(secretBase32: string): string {
  app.clock.advance(30_000);
  return totpCode(base32Decode(secretBase32), totpStep(app.clock.nowSeconds()));
}

beforeAll(async () => {
  app = await startCastApp();
});

afterAll(async () => {
  for (const cli of harnesses) cli.cleanup();
  await app.close();
});

it('shows the name given on the invitation wherever the member appears', async () => {
  const admin = await signedIn('admin');
  const refused = await admin.run(['admin', 'invite', 'bell@embassy-b.example', '--role', 'EMBASSY_CONTACT', '--embassy', app.cast.ids.embassyB, '--name', 'Bell\u0007']);
  expect(refused.code).toBe(7);
  expect(refused.stderr).toContain('  displayName: ');

  const invited = await admin.run([
    'admin',
    'invite',
    'jorge.perez@embassy-b.example',
    '--role',
    'EMBASSY_CONTACT',
    '--embassy',
    app.cast.ids.embassyB,
    '--name',
    'Jorge Pérez',
  ]);
  expect(invited.code).toBe(0);
  expect(invited.stdout).toMatch(/For:\s+Jorge Pérez <jorge\.perez@embassy-b\.example> \(EMBASSY_CONTACT, EMBASSY /);
  const code = /Code:\s+(\S+)/.exec(invited.stdout)?.[1] ?? '';

  const password = 'a passphrase for jorge perez';
  const account = await app.client.enrol(code, 'jorge.perez@embassy-b.example', password);
  await account.confirmTotp(codeAtServerTime(account.totp.secret));
  const jorge = new CliHarness(app.url);
  harnesses.push(jorge);
  expect((await jorge.login('jorge.perez@embassy-b.example', password, codeAtServerTime(account.totp.secret))).code).toBe(0);
  expect((await jorge.run(['whoami'])).stdout).toMatch(/^Name:\s+Jorge Pérez$/m);
  expect((await admin.run(['admin', 'user', 'show', account.user.id])).stdout).toMatch(/^Name:\s+Jorge Pérez$/m);

  // The first contact of embassy B founds the team; Jorge waits for a grant, by name.
  const founder = await signedIn('contactB1');
  expect((await founder.run(['team', 'create'])).code).toBe(0);
  const label = 'Jorge Pérez <jorge.perez@embassy-b.example> (Embassy B)';
  const status = await founder.run(['team', 'status']);
  expect(status.code).toBe(0);
  const waiting = status.stdout.split('Waiting for a grant')[1] ?? '';
  expect(waiting).toMatch(/USER\s+ROLE\s+FINGERPRINT\s+MEMBER/);
  expect(waiting).toContain(label);
  expect(waiting).toContain(`${app.cast.members.contactB2.email} (Embassy B)`);

  const granted = await founder.run(['team', 'grant', account.user.id], { answers: [account.user.fingerprint] });
  expect(granted.code).toBe(0);
  expect(granted.stderr).toContain(`Member:       ${label}`);
  expect(granted.stderr).toContain(`Fingerprint:  ${account.user.fingerprint}`);
});
