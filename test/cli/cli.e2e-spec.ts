/**
 * `egide` run in-process against the real server with the test cast: the encrypted
 * session cache and its key, scripted secrets (stdin, a file descriptor, a file),
 * `--json`, tables, exit codes, administration, password change, recovery, and a whole
 * scripted onboarding (invite → enrol → confirm TOTP → login) as a shell script would.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SessionStore } from '../../src/cli/session-store';
import { base32Decode, totpCode, totpStep } from '../../src/auth/totp';
import { startCastApp, type CastApp, type CastKey } from '../support/cast';
import { CliHarness } from './cli-harness';

let app: CastApp;
const harnesses: CliHarness[] = [];

function harness(): CliHarness {
  const made = new CliHarness(app.url);
  harnesses.push(made);
  return made;
}

async function signedIn(key: CastKey): Promise<CliHarness> {
  const cli = harness();
  const member = app.cast.members[key];
  const result = await cli.login(member.email, member.password, app.freshTotp(key));
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
  return cli;
}

/** The code an authenticator holding `secretBase32` shows at the server's current time. */
function codeAtServerTime(secretBase32: string): string {
  return totpCode(base32Decode(secretBase32), totpStep(app.clock.nowSeconds()));
}

beforeAll(async () => {
  app = await startCastApp();
});

afterAll(async () => {
  for (const made of harnesses) made.cleanup();
  await app.close();
});

describe('the session cache', () => {
  it('is written encrypted, 0600 in a 0700 directory, with nothing readable in it', async () => {
    const cli = await signedIn('contactA1');
    expect(cli.sessionKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(cli.sessionFile).mode & 0o777).toBe(0o600);
    expect(statSync(cli.home).mode & 0o777).toBe(0o700);

    const raw = readFileSync(cli.sessionFile, 'utf8');
    const exported = await new SessionStore({ EGIDE_HOME: cli.home }).load(Buffer.from(cli.sessionKey ?? '', 'base64url'));
    expect(exported.user.email).toBe(app.cast.members.contactA1.email);
    for (const secret of [app.cast.members.contactA1.password, exported.accessToken, exported.refreshToken, exported.userSeed, app.cast.members.contactA1.email]) {
      expect(raw).not.toContain(secret);
    }
    expect(raw).not.toContain(cli.sessionKey);
    expect(Object.keys(JSON.parse(raw) as object).sort()).toEqual(['ciphertext', 'format', 'nonce', 'version']);
  });

  it('prints an export line for the shell by default, and the key in JSON with --json', async () => {
    const cli = harness();
    const member = app.cast.members.contactA2;
    const plain = await cli.run(['login', '--email', member.email, '--totp', app.freshTotp('contactA2'), '--password-stdin'], { stdin: `${member.password}\n` });
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^export EGIDE_SESSION="[A-Za-z0-9_-]{43}"\n$/);

    const json = await cli.run(['login', '--json', '--email', member.email, '--totp', app.freshTotp('contactA2'), '--password-stdin'], { stdin: `${member.password}\n` });
    expect(json.code).toBe(0);
    const body = JSON.parse(json.stdout) as { sessionKey: string; user: { email: string } };
    expect(body.user.email).toBe(member.email);
    expect(body.sessionKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(json.stdout).not.toContain(member.password);
    // The second login replaced the file: only its key opens it.
    const previous = /EGIDE_SESSION="([^"]+)"/.exec(plain.stdout)?.[1];
    expect((await cli.run(['whoami'], { env: { EGIDE_SESSION: previous } })).code).toBe(3);
    expect((await cli.run(['whoami'], { env: { EGIDE_SESSION: body.sessionKey } })).code).toBe(0);
  });

  it('opens with EGIDE_SESSION, and without it or with a wrong key says how to sign in (exit 3)', async () => {
    const cli = await signedIn('contactB1');
    const ok = await cli.run(['whoami']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(app.cast.members.contactB1.email);
    expect(ok.stdout).toContain(app.cast.members.contactB1.fingerprint);

    const missing = await cli.run(['whoami'], { env: { EGIDE_SESSION: undefined } });
    expect(missing).toMatchObject({ code: 3, stdout: '' });
    expect(missing.stderr).toContain('egide login');

    const wrong = await cli.run(['whoami'], { env: { EGIDE_SESSION: randomBytes(32).toString('base64url') } });
    expect(wrong).toMatchObject({ code: 3, stdout: '' });
    expect(wrong.stderr).toContain('does not open');

    const malformed = await cli.run(['whoami'], { env: { EGIDE_SESSION: 'not-a-key' } });
    expect(malformed.code).toBe(3);

    const nobody = await harness().run(['whoami'], { env: { EGIDE_SESSION: cli.sessionKey } });
    expect(nobody.code).toBe(3);

    // The session's tokens never go to another server.
    const elsewhere = await cli.run(['whoami', '--server', 'http://elsewhere.example']);
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toContain('the session is for');
  });

  it('writes refreshed tokens back, re-encrypted under the same key', async () => {
    const cli = await signedIn('ngoX1');
    const store = new SessionStore({ EGIDE_HOME: cli.home });
    const key = (): Buffer => Buffer.from(cli.sessionKey ?? '', 'base64url');
    const before = await store.load(key());
    // As if the access token were about to expire: the next command refreshes first.
    await store.save({ ...before, accessTokenExpiresAt: Date.now() }, key());
    const result = await cli.run(['whoami', '--json']);
    expect(result.code).toBe(0);
    const after = await store.load(key());
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.accessTokenExpiresAt).toBeGreaterThan(Date.now() + 600_000);
    expect(readFileSync(cli.sessionFile, 'utf8')).not.toContain(after.refreshToken);
    expect((await cli.run(['whoami'])).code).toBe(0);
  });

  it('ends with logout, which deletes the file', async () => {
    const cli = await signedIn('contactB2');
    const result = await cli.run(['logout']);
    expect(result).toMatchObject({ code: 0, stdout: 'Signed out.\n' });
    expect(() => statSync(cli.sessionFile)).toThrow();
    expect((await cli.run(['whoami'])).code).toBe(3);
    expect((await cli.run(['logout'])).code).toBe(3);
  });

  it('answers 3 on another device after logout --everywhere, and deletes its own file', async () => {
    const first = await signedIn('coordinator1');
    const second = await signedIn('coordinator1');
    const everywhere = await second.run(['logout', '--everywhere', '--json']);
    expect(everywhere.code).toBe(0);
    expect(JSON.parse(everywhere.stdout)).toEqual({ loggedOut: true, serverSessionEnded: true, everywhere: true });
    const revoked = await first.run(['whoami']);
    expect(revoked.code).toBe(3);
    expect(revoked.stderr).toContain('sign in again');
  });
});

describe('secrets for scripts', () => {
  it('reads the password from a file descriptor', async () => {
    const cli = harness();
    const member = app.cast.members.auditor;
    const path = join(cli.home, 'password');
    writeFileSync(path, `${member.password}\n`, { mode: 0o600 });
    const fd = openSync(path, 'r');
    try {
      const result = await cli.run(['login', '--email', member.email, '--totp', app.freshTotp('auditor'), '--password-fd', String(fd), '--raw']);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      cli.sessionKey = result.stdout.trim();
    } finally {
      closeSync(fd);
    }
    expect((await cli.run(['whoami'])).stdout).toContain('AUDITOR');
  });

  it('reads the password from a file, and refuses a wrong one (exit 4) with the request id', async () => {
    const cli = harness();
    const member = app.cast.members.auditor;
    const path = join(cli.home, 'password');
    writeFileSync(path, 'not the password\n', { mode: 0o600 });
    const result = await cli.run(['login', '--email', member.email, '--totp', app.freshTotp('auditor'), '--password-file', path]);
    expect(result).toMatchObject({ code: 4, stdout: '' });
    expect(result.stderr).toMatch(/request id: \S+/);
    expect(result.stderr).not.toContain('not the password');
    expect(() => statSync(cli.sessionFile)).toThrow();
  });

  it('asks for what is missing instead of guessing: no password line, no terminal, no TOTP', async () => {
    const cli = harness();
    const member = app.cast.members.auditor;
    expect((await cli.run(['login', '--email', member.email, '--totp', '123456', '--password-stdin'], { stdin: '' })).code).toBe(2);
    expect((await cli.run(['login', '--email', member.email, '--totp', '123456'])).code).toBe(2);
    expect((await cli.run(['login', '--email', member.email, '--password-stdin'], { stdin: 'x\n' })).code).toBe(2);
    expect((await cli.run(['login', '--password', 'secret'])).code).toBe(2);
  });

  it('prompts on a terminal, without echo for the password', async () => {
    const cli = harness();
    const member = app.cast.members.auditor;
    const result = await cli.run(['login', '--raw'], { answers: [member.email, member.password, app.freshTotp('auditor')] });
    expect(result.code).toBe(0);
    expect(result.prompts).toEqual(['E-mail: ', '(secret) Password: ', 'TOTP code: ']);
  });
});

describe('administration', () => {
  let admin: CliHarness;

  beforeAll(async () => {
    admin = await signedIn('admin');
  });

  it('lists users as a table, and as JSON with --json', async () => {
    const table = await admin.run(['admin', 'user', 'list']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+EMAIL\s+ROLE\s+SCOPE\s+STATUS\s+MFA$/);
    const row = lines.find((line) => line.includes(app.cast.members.contactA1.email));
    expect(row).toMatch(new RegExp(`^${app.cast.members.contactA1.userId}\\s+\\S+\\s+EMBASSY_CONTACT\\s+EMBASSY ${app.cast.ids.embassyA}\\s+ACTIVE\\s+yes$`));

    const json = await admin.run(['admin', 'user', 'list', '--json', '--role', 'NGO']);
    const page = JSON.parse(json.stdout) as { items: { email: string }[]; nextCursor: string | null };
    expect(page.items.map((item) => item.email).sort()).toEqual([app.cast.members.ngoX1.email, app.cast.members.ngoY1.email].sort());
  });

  it('pages with --limit and tells the next cursor on stderr', async () => {
    const first = await admin.run(['admin', 'user', 'list', '--limit', '2']);
    expect(first.stdout.trimEnd().split('\n')).toHaveLength(3);
    const cursor = /--cursor (\S+)/.exec(first.stderr)?.[1];
    expect(cursor).toBeDefined();
    const second = await admin.run(['admin', 'user', 'list', '--limit', '2', '--cursor', cursor ?? '', '--json']);
    expect((JSON.parse(second.stdout) as { items: unknown[] }).items).toHaveLength(2);
    expect((await admin.run(['admin', 'user', 'list', '--limit', 'many'])).code).toBe(2);
  });

  it('creates, lists and updates embassies and organisations', async () => {
    const created = await admin.run(['admin', 'embassy', 'create', '--name', 'Embassy C', '--country', 'gh', '--city', 'Accra', '--json']);
    expect(created.code).toBe(0);
    const embassy = JSON.parse(created.stdout) as { id: string; country: string };
    expect(embassy.country).toBe('GH');
    // Read-then-update: the version sent is the one read just before.
    const updated = await admin.run(['admin', 'embassy', 'update', embassy.id, '--city', 'Kumasi', '--json']);
    expect(JSON.parse(updated.stdout)).toMatchObject({ id: embassy.id, city: 'Kumasi', version: 2 });
    // A version given on the command line that is no longer current: refused, nothing changed.
    const stale = await admin.run(['admin', 'embassy', 'update', embassy.id, '--city', 'Tamale', '--version', '1']);
    expect(stale.code).toBe(6);
    expect(stale.stderr).toContain('version 2, not 1');
    expect((await admin.run(['admin', 'embassy', 'show', embassy.id])).stdout).toMatch(/City:\s+Kumasi[\s\S]*Version:\s+2/);
    const list = await admin.run(['admin', 'embassy', 'list']);
    expect(list.stdout).toMatch(/Embassy C\s+GH\s+Kumasi/);
    expect((await admin.run(['admin', 'embassy', 'update', embassy.id])).code).toBe(2);

    const org = await admin.run(['admin', 'org', 'create', '--name', 'Organisation Z', '--country', 'FR', '--json']);
    const orgId = (JSON.parse(org.stdout) as { id: string }).id;
    expect((await admin.run(['admin', 'org', 'update', orgId, '--name', 'Organisation Zeta'])).stdout).toContain('Organisation Zeta');
    expect((await admin.run(['admin', 'org', 'list'])).stdout).toContain('Organisation Zeta');
  });

  it('maps the server’s answers to exit codes: 404 → 5, 409 → 6, 400 → 7', async () => {
    const missing = await admin.run(['admin', 'user', 'show', '6f1c1a36-4d0c-4c55-9a3e-0b6a1d2c3e4f']);
    expect(missing.code).toBe(5);
    expect(missing.stderr).toMatch(/Not found \(404\)[\s\S]*request id: /);
    expect((await admin.run(['admin', 'user', 'enable', app.cast.members.ngoY1.userId])).code).toBe(6);
    const invalid = await admin.run(['admin', 'embassy', 'create', '--name', 'Nowhere', '--country', 'XX', '--city', 'Atlantis']);
    expect(invalid.code).toBe(7);
    expect(invalid.stderr).toContain('country');
  });

  it('prints an invitation code once, to an admin only; an embassy contact is refused (exit 4)', async () => {
    const invited = await admin.run(['admin', 'invite', 'someone@embassy.example', '--role', 'EMBASSY_CONTACT', '--embassy', app.cast.ids.embassyA]);
    expect(invited.code).toBe(0);
    const code = /Code:\s+(\S+)/.exec(invited.stdout)?.[1] ?? '';
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(invited.stderr).toContain('not shown again');
    // Embassy A has no team yet in this file: the administrator is told who will found it.
    expect(invited.stderr).toContain('has no team key yet');

    const listed = await admin.run(['admin', 'invitations']);
    expect(listed.stdout).toContain('someone@embassy.example');
    expect(listed.stdout).not.toContain(code);
    expect((await admin.run(['admin', 'invitations', '--json'])).stdout).not.toContain(code);

    const contact = await signedIn('contactA2');
    const refused = await contact.run(['admin', 'invite', 'other@embassy.example', '--role', 'EMBASSY_CONTACT', '--embassy', app.cast.ids.embassyA]);
    expect(refused).toMatchObject({ code: 4, stdout: '' });
    expect(refused.stderr).toContain('Not allowed (403)');
    expect((await contact.run(['admin', 'user', 'list'])).code).toBe(4);
  });

  it('refuses a role outside the list before asking the server (exit 2)', async () => {
    expect((await admin.run(['admin', 'invite', 'x@example.org', '--role', 'SUPERUSER'])).code).toBe(2);
    expect((await admin.run(['admin', 'invite', 'x@example.org'])).code).toBe(2);
  });

  it('disables and enables a user; the disabled user’s cached session answers 3', async () => {
    const victim = await signedIn('ngoY1');
    const disabled = await admin.run(['admin', 'user', 'disable', app.cast.members.ngoY1.userId, '--json']);
    expect(JSON.parse(disabled.stdout)).toMatchObject({ status: 'DISABLED' });
    expect((await victim.run(['whoami'])).code).toBe(3);
    const enabled = await admin.run(['admin', 'user', 'enable', app.cast.members.ngoY1.userId]);
    expect(enabled.stdout).toMatch(/Status:\s+ACTIVE/);
  });
});

describe('usage', () => {
  it('exits 2 on an unknown command or option, 0 on --help which lists the exit codes', async () => {
    const cli = harness();
    expect((await cli.run(['frobnicate'])).code).toBe(2);
    expect((await cli.run(['whoami', '--frobnicate'])).code).toBe(2);
    expect((await cli.run(['admin'])).code).toBe(2);
    expect((await cli.run(['admin', 'embassy', 'explode'])).code).toBe(2);
    const help = await cli.run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes:');
    expect(help.stdout).toContain('8  rate-limited (429)');
  });

  it('needs a server', async () => {
    const result = await harness().run(['login', '--email', 'a@b.c'], { env: { EGIDE_URL: undefined } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--server');
  });

  it('exits 1 when the server cannot be reached', async () => {
    const result = await harness().run(['login', '--email', 'a@b.c', '--totp', '123456', '--password-stdin', '--server', 'http://127.0.0.1:9'], { stdin: 'x\n' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot reach the server');
  });
});

describe('password and recovery', () => {
  it('changes the password with the current one; the session stays usable and the new password signs in', async () => {
    const member = app.cast.members.coordinator2;
    const cli = await signedIn('coordinator2');
    const wrong = await cli.run(['password', '--password-stdin'], { stdin: 'wrong current\nnew password one two three\n' });
    expect(wrong.code).toBe(4);
    const changed = await cli.run(['password', '--password-stdin'], { stdin: `${member.password}\nnew password one two three\n` });
    expect(changed).toMatchObject({ code: 0, stdout: 'Password changed; your other sessions have ended.\n' });
    expect((await cli.run(['whoami'])).code).toBe(0);
    const again = harness();
    expect((await again.login(member.email, 'new password one two three', app.freshTotp('coordinator2'))).code).toBe(0);
  });

  it('recovers with the recovery key and a TOTP code, then signs in with the new password', async () => {
    const member = app.cast.members.contactA2;
    const cli = harness();
    const bad = await cli.run(['recover', '--email', member.email, '--totp', app.freshTotp('contactA2'), '--password-stdin'], { stdin: 'not a recovery key\nanother new passphrase for A2\n' });
    expect(bad.code).toBe(7);
    const recovered = await cli.run(['recover', '--email', member.email, '--totp', app.freshTotp('contactA2'), '--password-stdin', '--json'], {
      stdin: `${member.recoveryKey}\nrecovered password four five six\n`,
    });
    expect(recovered.code).toBe(0);
    expect(JSON.parse(recovered.stdout)).toEqual({ recovered: true });
    expect((await cli.login(member.email, 'recovered password four five six', app.freshTotp('contactA2'))).code).toBe(0);
  });
});

it('runs a scripted onboarding: invite, enrol with secrets on stdin, confirm TOTP, log in', async () => {
  const admin = await signedIn('admin');
  const invited = await admin.run(['admin', 'invite', 'Newcomer@NGO.example', '--role', 'NGO', '--org', app.cast.ids.orgX, '--json']);
  expect(invited.code).toBe(0);
  const invitation = JSON.parse(invited.stdout) as { code: string; email: string };

  const newcomer = harness();
  const password = 'a long and new passphrase for the newcomer';
  const enrolled = await newcomer.run(['enrol', '--email', invitation.email, '--password-stdin', '--json'], { stdin: `${invitation.code}\n${password}\n` });
  expect({ code: enrolled.code, stderr: enrolled.stderr }).toEqual({ code: 0, stderr: expect.stringContaining('egide confirm-totp') as string });
  const account = JSON.parse(enrolled.stdout) as {
    user: { email: string; role: string; fingerprint: string };
    totp: { secret: string; otpauthUri: string };
    recoveryKey: string;
    totpConfirmed: boolean;
  };
  expect(account).toMatchObject({ user: { email: 'newcomer@ngo.example', role: 'NGO' }, totpConfirmed: false });
  expect(account.totp.otpauthUri).toContain(account.totp.secret);
  expect(account.recoveryKey.length).toBeGreaterThan(20);
  expect(enrolled.stdout).not.toContain(password);
  expect(enrolled.stdout).not.toContain(invitation.code);

  // Not active yet: a login is refused until TOTP is confirmed.
  app.clock.advance(30_000);
  expect((await newcomer.login(account.user.email, password, codeAtServerTime(account.totp.secret))).code).toBe(4);

  app.clock.advance(30_000);
  const confirmed = await newcomer.run(['confirm-totp', '--email', account.user.email, '--totp', codeAtServerTime(account.totp.secret), '--password-stdin'], {
    stdin: `${password}\n`,
  });
  expect(confirmed).toMatchObject({ code: 0, stdout: `TOTP is active for ${account.user.email}.\n` });

  app.clock.advance(30_000);
  expect((await newcomer.login(account.user.email, password, codeAtServerTime(account.totp.secret))).code).toBe(0);
  const whoami = await newcomer.run(['whoami', '--json']);
  expect(JSON.parse(whoami.stdout)).toMatchObject({ email: 'newcomer@ngo.example', role: 'NGO', scope: { type: 'ORGANISATION', id: app.cast.ids.orgX }, fingerprint: account.user.fingerprint });
  // The invitation is spent: enrolling again with it fails.
  const again = await harness().run(['enrol', '--email', invitation.email, '--password-stdin'], { stdin: `${invitation.code}\n${password}\n` });
  expect([4, 6, 7]).toContain(again.code);
});
