/**
 * The CLI and credentials (docs/identity.md, "Passwords" and "MFA"): a weak new password
 * is refused with the reason before any request (enrolment, password change, recovery),
 * and a person at a terminal is asked again; enrolment shows the TOTP secret as a QR code
 * as well as text; a TOTP code refused because it was just used says to wait for the next.
 */
import QRCode from 'qrcode';
import { base32Decode, totpCode, totpStep } from '../../src/auth/totp';
import type { EgideSession } from '../../src/client/egide-session';
import { startCastApp, type CastApp } from '../support/cast';
import { CliHarness, type CliRun } from './cli-harness';

let app: CastApp;
let admin: EgideSession;
const harnesses: CliHarness[] = [];

function harness(): CliHarness {
  const made = new CliHarness(app.url);
  harnesses.push(made);
  return made;
}

beforeAll(async () => {
  app = await startCastApp();
  admin = await app.login('admin');
});

afterAll(async () => {
  for (const made of harnesses) made.cleanup();
  await app.close();
});

async function invitationFor(email: string): Promise<string> {
  const { code } = await admin.admin.invite({ email, role: 'NGO', organisationId: app.cast.ids.orgX });
  return code;
}

function printed(run: CliRun, field: string): string {
  return new RegExp(`${field}:\\s+(\\S+)`).exec(run.stdout)?.[1] ?? '';
}

const WEAK_A =
  'egide: the new password is too weak: it has 1 character; at least 12 are needed; it would be found in about 10^1 guesses; at least 10^10 are needed; ' +
  'a passphrase of four or more words picked at random is long, strong and easy to remember\n';

it('refuses the password "a" at enrolment, saying why, before any request: the invitation stays usable', async () => {
  const email = 'weak.password@ngo-x.example';
  const code = await invitationFor(email);
  const weak = await harness().run(['enrol', '--email', email, '--password-stdin'], { stdin: `${code}\na\n` });
  expect(weak).toMatchObject({ code: 7, stdout: '', stderr: WEAK_A });

  // A password that is long enough but common is refused too, for that reason.
  const common = await harness().run(['enrol', '--email', email, '--password-stdin'], { stdin: `${code}\nqwerty123456\n` });
  expect(common.code).toBe(7);
  expect(common.stderr).toContain('it is on the list of the most common and breached passwords');

  // Nothing was sent: the same code enrols with a strong password, and the text output carries the QR code.
  const enrolled = await harness().run(['enrol', '--email', email, '--password-stdin'], { stdin: `${code}\nseven quiet otters paint the harbour\n` });
  expect(enrolled.code).toBe(0);
  const uri = printed(enrolled, 'TOTP URI');
  expect(uri).toMatch(/^otpauth:\/\/totp\//);
  // Not a terminal: plain block characters, exactly the QR code of the URI shown.
  expect(enrolled.stdout).toContain(await QRCode.toString(uri, { type: 'utf8' }));
  expect(enrolled.stdout).not.toContain('\u001b[');
});

it('asks a person again after a weak password, then shows the QR code in terminal colours and activates TOTP', async () => {
  const email = 'second.try@ngo-x.example';
  const code = await invitationFor(email);
  const password = 'a passphrase typed on the second try';
  const typedCode = ({ stdout }: { stdout: string }): string =>
    totpCode(base32Decode(/TOTP secret:\s+(\S+)/.exec(stdout)?.[1] ?? ''), totpStep(app.clock.nowSeconds()));
  const run = await harness().run(['enrol', '--email', email], { answers: [code, 'password1234', password, password, typedCode], tty: true });
  expect(run.code).toBe(0);
  expect(run.prompts).toEqual([
    '(secret) Invitation code: ',
    '(secret) New password: ',
    '(secret) New password: ',
    '(secret) Repeat the new password: ',
    'TOTP code: ',
  ]);
  expect(run.stderr).toContain('egide: the new password is too weak: ');
  expect(run.stderr).toContain('Choose another.');
  expect(run.stderr).toContain('TOTP is active.');
  // On a terminal the colours are set (black on white), so the code scans on any theme.
  const uri = printed(run, 'TOTP URI');
  expect(run.stdout).toContain(await QRCode.toString(uri, { type: 'terminal', small: true }));
  expect(run.stdout).toContain('Scan this with your authenticator app');
  expect(run.stdout).not.toContain(password);
});

it('stops after three weak passwords at a terminal', async () => {
  const email = 'three.tries@ngo-x.example';
  const code = await invitationFor(email);
  const run = await harness().run(['enrol', '--email', email], { answers: [code, 'short', 'aaaaaaaaaaaaaaaa', 'abcdefghijklmnop'] });
  expect(run.code).toBe(7);
  expect(run.stderr.match(/too weak/g)).toHaveLength(3);
});

it('refuses a weak new password on password change and recovery, before any request', async () => {
  const member = app.cast.members.ngoY1;
  const cli = harness();
  expect((await cli.login(member.email, member.password, app.freshTotp('ngoY1'))).code).toBe(0);
  const change = await cli.run(['password', '--password-stdin'], { stdin: `${member.password}\nshort\n` });
  expect(change.code).toBe(7);
  expect(change.stderr).toContain('egide: the new password is too weak: it has 5 characters');

  const recover = await harness().run(['recover', '--email', member.email, '--totp', app.freshTotp('ngoY1'), '--password-stdin'], {
    stdin: `${member.recoveryKey}\n${member.email}\n`,
  });
  expect(recover.code).toBe(7);
  expect(recover.stderr).toContain('it contains your e-mail address, a part of it');

  // Neither changed anything: the password signs in as before.
  expect((await harness().login(member.email, member.password, app.freshTotp('ngoY1'))).code).toBe(0);
});

it('says to wait for the next code when the code was just used', async () => {
  const member = app.cast.members.contactB1;
  const code = app.freshTotp('contactB1');
  expect((await harness().login(member.email, member.password, code)).code).toBe(0);
  const again = await harness().login(member.email, member.password, code);
  expect(again.code).toBe(4);
  expect(again.stderr).toContain('This code was just used (401)');
  expect(again.stderr).toContain('Wait until your authenticator shows the next code (a new one every 30 seconds), then try again with it.');
});
