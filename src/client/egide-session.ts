/**
 * A signed-in user on the client: tokens, and the user's unlocked keys held in memory
 * only (never written anywhere by this class). Access tokens are refreshed shortly
 * before they expire; a refresh token is used once and replaced.
 *
 * `export()` hands the CLI what it must persist between commands; the CLI encrypts it
 * under a key that lives only in an environment variable (see src/cli/session-store.ts).
 * The session also carries the device's trust store (trust-store.ts), opened with the
 * user's seed from whatever storage the caller gives (memory by default); every read
 * verifies against it. What an explicit step pins (a grant, opening one's team keys, a
 * transfer's team key) is written at once; what reads learn (members vouched for by
 * grants, the highest versions seen) stays in memory until `saveTrust()` writes it back,
 * sealed — the CLI calls it after every command; other clients must too.
 */
import sodium from 'libsodium-wrappers-sumo';
import type { LoginResponse } from '../auth/dto/login.response';
import type { UserSummaryResponse } from '../auth/dto/user-summary.response';
import type { KdfParameters, UserPublicKeys } from '../crypto/key-bundles';
import { fromBase64Url, toBase64Url } from '../crypto/binary-encoding';
import { readyCrypto } from '../crypto/protocol-hash';
import { AdminApi } from './admin-api';
import { AuthApi } from './auth-api';
import { CasesApi } from './cases-api';
import { changePassword as rewrapForNewPassword, derivePasswordSecrets, deriveUserKeyPairs, type UserKeyPairs } from './crypto';
import { HttpClient } from './http-client';
import { KeysApi } from './keys-api';
import { assertPasswordAcceptable } from './password-policy';
import { MemoryTrustStorage, TrustStore, type TrustStorage } from './trust-store';
import { pinSelf } from './trusted-keys';

/** Refresh when less than this remains, so a request never leaves with a dying token. */
const REFRESH_MARGIN_MS = 60_000;

export interface ExportedSession {
  baseUrl: string;
  user: UserSummaryResponse;
  publicKeys: UserPublicKeys;
  accessToken: string;
  accessTokenExpiresAt: number;
  refreshToken: string;
  /** The unlocked user seed, base64url: whoever holds this holds the user's keys. */
  userSeed: string;
}

export class EgideSession {
  readonly http: HttpClient;
  readonly auth: AuthApi;
  readonly admin: AdminApi;
  /** Key directory and team key routes (`keys` is the user's own key pairs). */
  readonly keysApi: KeysApi;
  /** Case routes, raw (sealed material in, sealed material out); case-flow.ts seals and opens. */
  readonly cases: CasesApi;
  private refreshing: Promise<void> | undefined;

  private constructor(
    private readonly server: HttpClient,
    readonly user: UserSummaryResponse,
    readonly publicKeys: UserPublicKeys,
    /** The user's seed and key pairs; memory only. */
    readonly userSeed: Uint8Array,
    readonly keys: UserKeyPairs,
    /** What this device trusts about other members' keys; pins are made by verifications only. */
    readonly trust: TrustStore,
    private accessToken: string,
    private accessTokenExpiresAt: number,
    private refreshToken: string,
  ) {
    this.http = server.withAccessToken(() => this.currentAccessToken());
    this.auth = new AuthApi(this.http);
    this.admin = new AdminApi(this.http);
    this.keysApi = new KeysApi(this.http);
    this.cases = new CasesApi(this.http);
  }

  static async fromLogin(
    server: HttpClient,
    login: LoginResponse,
    userSeed: Uint8Array,
    keys: UserKeyPairs,
    trustStorage: TrustStorage = new MemoryTrustStorage(),
  ): Promise<EgideSession> {
    const session = new EgideSession(
      server,
      login.user,
      login.keyBundle.publicKeys,
      userSeed,
      keys,
      // At a sign-in a store that does not open is set aside (a re-enrolment made a new seed).
      await TrustStore.open(trustStorage, { userId: login.user.id, userSeed }, { setAsideUnreadable: true }),
      login.accessToken,
      Date.now() + login.expiresIn * 1000,
      login.refreshToken,
    );
    pinSelf(session);
    await session.saveTrust();
    return session;
  }

  static async resume(data: ExportedSession, fetchImpl?: typeof fetch, trustStorage: TrustStorage = new MemoryTrustStorage()): Promise<EgideSession> {
    await readyCrypto();
    const userSeed = fromBase64Url(data.userSeed, 'userSeed');
    const session = new EgideSession(
      new HttpClient(data.baseUrl, undefined, fetchImpl),
      data.user,
      data.publicKeys,
      userSeed,
      deriveUserKeyPairs(userSeed),
      await TrustStore.open(trustStorage, { userId: data.user.id, userSeed }),
      data.accessToken,
      data.accessTokenExpiresAt,
      data.refreshToken,
    );
    pinSelf(session);
    return session;
  }

  /** Writes what this session learnt about keys and records (sealed) to the trust storage. */
  saveTrust(): Promise<void> {
    return this.trust.save();
  }

  export(): ExportedSession {
    return {
      baseUrl: this.server.baseUrl,
      user: this.user,
      publicKeys: this.publicKeys,
      accessToken: this.accessToken,
      accessTokenExpiresAt: this.accessTokenExpiresAt,
      refreshToken: this.refreshToken,
      userSeed: toBase64Url(this.userSeed),
    };
  }

  /** Exchanges the refresh token now (the server rotates it). */
  async refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const next = await new AuthApi(this.server).refresh(this.refreshToken);
        this.accessToken = next.accessToken;
        this.accessTokenExpiresAt = Date.now() + next.expiresIn * 1000;
        this.refreshToken = next.refreshToken;
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  /** The access token as it stands, for tests that need to present it raw. */
  get currentRawAccessToken(): string {
    return this.accessToken;
  }

  get currentRawRefreshToken(): string {
    return this.refreshToken;
  }

  async logout(): Promise<void> {
    await this.auth.logout();
    this.lock();
  }

  async logoutEverywhere(): Promise<void> {
    await this.auth.logoutEverywhere();
    this.lock();
  }

  /**
   * New password: the seed is re-wrapped under a key from the new password and a new
   * salt; the server checks the current one and ends every other session.
   */
  async changePassword(currentPassword: string, newPassword: string, kdf: KdfParameters, options: { opslimit?: number; memlimit?: number } = {}): Promise<void> {
    assertPasswordAcceptable(newPassword, { email: this.user.email });
    await readyCrypto();
    const current = derivePasswordSecrets(currentPassword, kdf);
    const change = rewrapForNewPassword(this.userSeed, newPassword, options);
    try {
      const next = await this.auth.changePassword({
        currentAuthKey: toBase64Url(current.authKey),
        newAuthKey: change.authKey,
        kdf: change.kdf,
        passwordBundle: change.passwordBundle,
      });
      this.accessToken = next.accessToken;
      this.accessTokenExpiresAt = Date.now() + next.expiresIn * 1000;
    } finally {
      sodium.memzero(current.kek);
    }
  }

  /** Forgets the keys held in memory. */
  lock(): void {
    this.trust.lock();
    sodium.memzero(this.userSeed);
    sodium.memzero(this.keys.boxSecretKey);
    sodium.memzero(this.keys.signSecretKey);
  }

  private async currentAccessToken(): Promise<string> {
    if (Date.now() > this.accessTokenExpiresAt - REFRESH_MARGIN_MS) await this.refresh();
    return this.accessToken;
  }
}
