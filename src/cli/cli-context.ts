/**
 * What every command receives: the global options, the output, the secret input, an SDK
 * client for the server, and the cached session. `withSession` opens the session file
 * with EGIDE_SESSION, refreshes the tokens under the lock when they are about to expire,
 * runs the command, and writes rotated tokens back (re-encrypted) and the trust store
 * (sealed by the SDK). It must never write the session in clear or let a command run on
 * a session it could not open.
 */
import { EgideApiError, EgideClient, EgideSession, type ExportedSession } from '../client';
import type { CliIo } from './cli-io';
import { CliError, ExitCode, withOwnFingerprint } from './exit-codes';
import { Output } from './output';
import { SecretInput } from './secret-input';
import { parseSessionKey, SESSION_ENV, SessionStore, SIGN_IN_HINT } from './session-store';
import { TrustFile, trustFilePath } from './trust-file';

export interface GlobalOptions {
  server?: string;
  json?: boolean;
  passwordStdin?: boolean;
  passwordFd?: number;
  passwordFile?: string;
}

/** Refresh ahead of time so that a command never starts on a token about to die. */
const REFRESH_AHEAD_MS = 120_000;

export class CliContext {
  readonly output: Output;
  readonly store: SessionStore;
  /** Set once a command runs on the cached session: a 401 then means "sign in again". */
  usedSession = false;
  private secretInput: SecretInput | undefined;

  constructor(
    readonly io: CliIo,
    readonly options: GlobalOptions,
  ) {
    this.output = new Output(io, options.json === true);
    this.store = new SessionStore(io.env);
  }

  get secrets(): SecretInput {
    this.secretInput ??= new SecretInput(this.io, this.options);
    return this.secretInput;
  }

  serverUrl(): string {
    const url = this.options.server ?? this.io.env.EGIDE_URL;
    if (url === undefined || url === '') throw new CliError('no server: pass --server URL or set EGIDE_URL', ExitCode.Usage);
    try {
      return new URL(url).toString();
    } catch {
      throw new CliError(`--server is not a URL: ${url}`, ExitCode.Usage);
    }
  }

  client(): EgideClient {
    return new EgideClient(this.serverUrl(), { fetch: this.io.fetch, trustStorage: (userId) => this.trustFile(userId) });
  }

  /** The user's trust store on this machine (kept across logins, sealed under the user's key). */
  trustFile(userId: string): TrustFile {
    return new TrustFile(trustFilePath(this.io.env, userId));
  }

  /** Asks a question with echo, or fails naming the option a script should pass instead. */
  async ask(question: string, option: string): Promise<string> {
    if (!this.io.interactive) throw new CliError(`no terminal to ask: pass ${option}`, ExitCode.Usage);
    return (await this.io.prompt(question)).trim();
  }

  async totp(given: string | undefined): Promise<string> {
    const code = given ?? (await this.ask('TOTP code: ', '--totp CODE'));
    if (!/^\d{6}$/.test(code)) throw new CliError('a TOTP code is six digits', ExitCode.Usage);
    return code;
  }

  /** Runs `command` on the cached session and saves what the session became. */
  async withSession<T>(command: (session: EgideSession) => Promise<T>): Promise<T> {
    const key = parseSessionKey(this.io.env[SESSION_ENV]);
    if (!this.store.exists()) throw new CliError('not signed in: no session on this machine', ExitCode.NotSignedIn, SIGN_IN_HINT);
    this.usedSession = true;
    const session = await this.store.withLock(async () => {
      const exported = await this.store.load(key);
      this.checkServer(exported);
      const opened = await EgideSession.resume(exported, this.io.fetch, this.trustFile(exported.user.id));
      if (Date.now() > exported.accessTokenExpiresAt - REFRESH_AHEAD_MS) {
        try {
          await opened.refresh();
        } catch (error) {
          if (error instanceof EgideApiError && error.status === 401) {
            opened.lock();
            this.store.remove();
            throw new CliError('the session has expired or was revoked', ExitCode.NotSignedIn, SIGN_IN_HINT);
          }
          throw error;
        }
        await this.store.save(opened.export(), key);
      }
      return opened;
    });
    const tokensOf = (current: EgideSession): string => `${current.currentRawAccessToken} ${current.currentRawRefreshToken}`;
    const before = tokensOf(session);
    try {
      return await command(session);
    } catch (error) {
      // A 403 team-grant-required is reported with the user's own fingerprint, while the keys are here.
      throw withOwnFingerprint(error, session.keys);
    } finally {
      // What the command verified (pins, the highest record versions seen) is kept even
      // when it failed later: a verification that happened stays true.
      await session.saveTrust();
      // Tokens replaced during the command (a refresh in a long one, a password change)
      // must not be lost: the old ones are spent or revoked.
      if (this.store.exists() && tokensOf(session) !== before) {
        await this.store.withLock(() => this.store.save(session.export(), key));
      }
      session.lock();
      key.fill(0);
    }
  }

  private checkServer(exported: ExportedSession): void {
    const wanted = this.options.server ?? this.io.env.EGIDE_URL;
    if (wanted === undefined || wanted === '') return;
    if (new URL(wanted).origin !== new URL(exported.baseUrl).origin) {
      throw new CliError(`the session is for ${exported.baseUrl}, not ${wanted}`, ExitCode.Usage, 'Sign in to that server with `egide login` first.');
    }
  }
}
