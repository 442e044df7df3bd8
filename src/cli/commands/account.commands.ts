/**
 * The account commands: setup (first administrator), enrol, confirm-totp, login, logout,
 * whoami, password, recover. Each one is a thin shell around an SDK flow: secrets come
 * from SecretInput (a prompt without echo, or a scripted line), never from argv.
 * Only `setup` and `enrol` print secrets, the ones they exist to hand over once (TOTP
 * secret, otpauth URI and its QR code, recovery key); `login` prints the session key for
 * the shell. A new password is judged by the SDK's rule (password-policy.ts) as soon as
 * it is typed: a person is told why and asked again, a script stops before any request.
 */
import type { Command } from 'commander';
import QRCode from 'qrcode';
import type { UserSummaryResponse } from '../../auth/dto/user-summary.response';
import {
  describePasswordProblems,
  EgideApiError,
  evaluatePassword,
  fingerprintsMatch,
  toBase64Url,
  userKeyPairsFingerprint,
  type NewAccount,
} from '../../client';
import type { CliContext } from '../cli-context';
import { CliError, ExitCode } from '../exit-codes';
import { renderFields } from '../output';
import { newSessionKey, parseSessionKey, SESSION_ENV } from '../session-store';

export type ContextOf = (command: Command) => CliContext;

interface EmailOption {
  email?: string;
}

interface TotpOption {
  totp?: string;
}

function describeScope(user: Pick<UserSummaryResponse, 'scope'>): string {
  return user.scope.id === null ? user.scope.type : `${user.scope.type} ${user.scope.id}`;
}

async function emailOf(context: CliContext, options: EmailOption): Promise<string> {
  const email = options.email ?? (await context.ask('E-mail: ', '--email ADDRESS'));
  if (email === '') throw new CliError('an e-mail address is required', ExitCode.Usage);
  return email;
}

/** What the SDK's password rule finds wrong with a new password of this account (nothing: acceptable). */
function weaknessesFor(email: string): (password: string) => readonly string[] {
  return (password) => {
    const verdict = evaluatePassword(password, { email });
    return verdict.acceptable ? [] : describePasswordProblems(verdict);
  };
}

/**
 * The otpauth URI as a QR code for an authenticator's camera. On a terminal the colours
 * are set explicitly (black on white), so the code scans on dark and light themes alike;
 * elsewhere (a file, a pipe) it is plain block characters. A URI too long for a QR code
 * (a server may send anything) gives no picture: the secret is still printed as text.
 */
async function totpQrCode(uri: string, terminal: boolean): Promise<string | undefined> {
  try {
    return terminal ? await QRCode.toString(uri, { type: 'terminal', small: true }) : await QRCode.toString(uri, { type: 'utf8' });
  } catch {
    return undefined;
  }
}

/**
 * Shows what a new account must keep (once), then activates TOTP with a first code when
 * a person is there to read the secret into an authenticator and type a code.
 */
async function showNewAccount(context: CliContext, email: string, account: NewAccount): Promise<void> {
  const { output, io } = context;
  let totpConfirmed = false;
  if (!output.json) {
    output.text(
      renderFields([
        ['Account', `${account.user.email} (${account.user.role}, ${describeScope(account.user)})`],
        ['Fingerprint', account.fingerprint],
        ['TOTP secret', account.totp.secret],
        ['TOTP URI', account.totp.otpauthUri],
        ['Recovery key', account.recoveryKey],
      ]),
    );
    const qrCode = await totpQrCode(account.totp.otpauthUri, io.stdout.isTTY);
    if (qrCode !== undefined) output.text(`Scan this with your authenticator app (it holds the TOTP secret above):\n${qrCode}`);
    output.note('Write the recovery key down and keep it offline: it is shown only this once, and it is the only way back to your keys without your password.');
    if (!fingerprintsMatch(account.fingerprint, account.user.fingerprint)) {
      output.note(`Warning: the server registered another fingerprint for you (${account.user.fingerprint}) than your keys derive: report this before anyone grants you a key.`);
    }
  }
  if (io.interactive) {
    const code = await context.totp(undefined);
    await account.confirmTotp(code);
    totpConfirmed = true;
    output.note('TOTP is active.');
  } else {
    output.note(`Add the TOTP secret to an authenticator, then activate it: egide confirm-totp --email ${email} --totp CODE`);
  }
  if (output.json) output.result({ user: account.user, totp: account.totp, recoveryKey: account.recoveryKey, totpConfirmed }, () => '');
}

export function registerAccountCommands(program: Command, contextOf: ContextOf): void {
  program
    .command('setup')
    .description('create the first administrator with the one-time setup token (secrets: setup token, then password)')
    .option('--email <address>', 'the administrator’s e-mail address')
    .action(async (options: EmailOption, command: Command) => {
      const context = contextOf(command);
      const client = context.client();
      const email = await emailOf(context, options);
      const setupToken = await context.secrets.read('setup token');
      const password = await context.secrets.readNew('new password', weaknessesFor(email));
      const account = await client.setup(setupToken, email, password);
      await showNewAccount(context, email, account);
    });

  program
    .command('enrol')
    .description('create your account from an invitation (secrets: invitation code, then password)')
    .option('--email <address>', 'the e-mail address the invitation was made for')
    .action(async (options: EmailOption, command: Command) => {
      const context = contextOf(command);
      const client = context.client();
      const email = await emailOf(context, options);
      const invitationCode = await context.secrets.read('invitation code');
      const password = await context.secrets.readNew('new password', weaknessesFor(email));
      const account = await client.enrol(invitationCode, email, password);
      await showNewAccount(context, email, account);
    });

  program
    .command('confirm-totp')
    .description('activate TOTP after enrolment with a first code from the authenticator (secret: password)')
    .option('--email <address>', 'your e-mail address')
    .option('--totp <code>', 'a current code from the authenticator')
    .action(async (options: EmailOption & TotpOption, command: Command) => {
      const context = contextOf(command);
      const client = context.client();
      const email = await emailOf(context, options);
      const password = await context.secrets.read('password');
      const code = await context.totp(options.totp);
      const user = await client.confirmTotp(email, password, code);
      context.output.result(user, () => `TOTP is active for ${user.email}.`);
    });

  program
    .command('login')
    .description('sign in and print the session key for the shell (secret: password)')
    .option('--email <address>', 'your e-mail address')
    .option('--totp <code>', 'a current code from the authenticator')
    .option('--raw', 'print the session key alone')
    .action(async (options: EmailOption & TotpOption & { raw?: boolean }, command: Command) => {
      const context = contextOf(command);
      const client = context.client();
      const email = await emailOf(context, options);
      const password = await context.secrets.read('password');
      const code = await context.totp(options.totp);
      const session = await client.login(email, password, code);
      if (session.trust.setAsidePath !== null) {
        context.output.note(
          [
            `The trust store on this machine does not open with your keys (after a re-enrolment they are new); it was kept as ${session.trust.setAsidePath}`,
            'and a new one started. Every member you verified must be verified again (`egide contacts verify`); until then their work is refused (exit 10).',
            'If you did not re-enrol, report this: someone may have altered the file.',
          ].join('\n'),
        );
      }
      const key = newSessionKey();
      try {
        await context.store.withLock(() => context.store.save(session.export(), key));
        const sessionKey = toBase64Url(key);
        if (context.output.json) context.output.result({ user: session.user, sessionKey }, () => '');
        else if (options.raw === true) context.output.text(sessionKey);
        else {
          context.output.text(`export ${SESSION_ENV}="${sessionKey}"`);
          context.output.note(`Signed in as ${session.user.email} (${session.user.role}). Run the line above in your shell, or: eval "$(egide login …)".`);
        }
      } finally {
        session.lock();
        key.fill(0);
      }
    });

  program
    .command('logout')
    .description('end the session on the server and delete the session file')
    .option('--everywhere', 'end every session of this account, on every device')
    .action(async (options: { everywhere?: boolean }, command: Command) => {
      const context = contextOf(command);
      const { store, output } = context;
      if (!store.exists()) throw new CliError('not signed in', ExitCode.NotSignedIn);
      if (options.everywhere !== true) {
        try {
          parseSessionKey(context.io.env[SESSION_ENV]);
        } catch {
          // Without the key the file is useless to anyone: delete it, and say the server
          // session lives on until its refresh token expires.
          store.remove();
          output.note('The session file is deleted; without EGIDE_SESSION the server session could not be ended and lapses when its refresh token expires.');
          output.result({ loggedOut: true, serverSessionEnded: false }, () => 'Signed out on this machine.');
          return;
        }
      }
      await context.withSession(async (session) => {
        try {
          if (options.everywhere === true) await session.logoutEverywhere();
          else await session.logout();
        } catch (error) {
          // Already revoked or expired on the server: the goal is reached.
          if (!(error instanceof EgideApiError && error.status === 401) || options.everywhere === true) throw error;
        } finally {
          store.remove();
        }
      });
      output.result({ loggedOut: true, serverSessionEnded: true, everywhere: options.everywhere === true }, () =>
        options.everywhere === true ? 'Signed out everywhere.' : 'Signed out.',
      );
    });

  program
    .command('whoami')
    .description('show the signed-in account')
    .action(async (_options: unknown, command: Command) => {
      const context = contextOf(command);
      const { user, server, fingerprint } = await context.withSession(async (session) => ({
        user: await session.auth.me(),
        server: session.export().baseUrl,
        // Computed from the keys this client holds: what the user reads out must never be the server's say-so.
        fingerprint: userKeyPairsFingerprint(session.keys),
      }));
      if (!fingerprintsMatch(fingerprint, user.fingerprint)) {
        context.output.note(`Warning: the server shows another fingerprint for you (${user.fingerprint}) than your keys derive: report this before anyone grants you a key.`);
      }
      context.output.result({ ...user, fingerprint }, () =>
        renderFields([
          ['Name', user.displayName ?? '-'],
          ['E-mail', user.email],
          ['User id', user.id],
          ['Role', user.role],
          ['Scope', describeScope(user)],
          ['Fingerprint', fingerprint],
          ['Server', server],
        ]),
      );
    });

  program
    .command('password')
    .description('change your password; other sessions end (secrets: current password, then new password)')
    .action(async (_options: unknown, command: Command) => {
      const context = contextOf(command);
      await context.withSession(async (session) => {
        const current = await context.secrets.read('current password');
        const next = await context.secrets.readNew('new password', weaknessesFor(session.user.email));
        const { kdf } = await session.auth.prelogin(session.user.email);
        await session.changePassword(current, next, kdf);
      });
      context.output.result({ passwordChanged: true }, () => 'Password changed; your other sessions have ended.');
    });

  program
    .command('recover')
    .description('set a new password with your recovery key; every session ends (secrets: recovery key, then new password)')
    .option('--email <address>', 'your e-mail address')
    .option('--totp <code>', 'a current code from the authenticator')
    .action(async (options: EmailOption & TotpOption, command: Command) => {
      const context = contextOf(command);
      const client = context.client();
      const email = await emailOf(context, options);
      const recoveryKey = await context.secrets.read('recovery key');
      const password = await context.secrets.readNew('new password', weaknessesFor(email));
      const code = await context.totp(options.totp);
      await client.recover(email, recoveryKey, code, password);
      context.output.result({ recovered: true }, () => 'Password reset; every session has ended. Sign in with `egide login`.');
    });
}
