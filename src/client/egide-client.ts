/**
 * The SDK's entry point: the flows that need no session (setup, enrolment, TOTP
 * activation, login, recovery) and `login()` returning a signed-in `EgideSession`.
 * All key work happens here, on the client, with libsodium: the server receives public
 * keys, wrapped seeds and authKeys, never a password or a secret key.
 */
import sodium from 'libsodium-wrappers-sumo';
import type { EnrolmentResponse } from '../auth/dto/enrolment.response';
import type { UserSummaryResponse } from '../auth/dto/user-summary.response';
import { toBase64Url } from '../crypto/binary-encoding';
import { readyCrypto } from '../crypto/protocol-hash';
import { AuthApi } from './auth-api';
import {
  changePassword as rewrapForNewPassword,
  derivePasswordSecrets,
  deriveRecoverySecrets,
  enrolUser,
  formatRecoveryKey,
  parseRecoveryKey,
  unlockUserKeys,
  unwrapUserSeed,
} from './crypto';
import { EgideSession } from './egide-session';
import { HttpClient } from './http-client';
import { assertPasswordAcceptable } from './password-policy';
import type { TrustStorage } from './trust-store';

export interface ClientOptions {
  fetch?: typeof fetch;
  /** Argon2id limits for new passwords (defaults: the protocol floor). */
  opslimit?: number;
  memlimit?: number;
  /** Where a signed-in user's trust store lives (a file for the CLI, IndexedDB in a browser); memory by default. */
  trustStorage?: (userId: string) => TrustStorage;
}

/** What a new account must keep: shown once. */
export interface NewAccount {
  user: UserSummaryResponse;
  totp: EnrolmentResponse['totp'];
  /** Crockford base32, to print and keep offline; the only way back without the password. */
  recoveryKey: string;
  /** The new keys' fingerprint, computed here from the keys just made (what the user reads out; never the server's copy). */
  fingerprint: string;
  /** Activates TOTP with a first code from the authenticator. */
  confirmTotp(code: string): Promise<UserSummaryResponse>;
}

export class EgideClient {
  readonly http: HttpClient;
  readonly auth: AuthApi;

  constructor(
    readonly baseUrl: string,
    private readonly options: ClientOptions = {},
  ) {
    this.http = new HttpClient(baseUrl, undefined, options.fetch);
    this.auth = new AuthApi(this.http);
  }

  /**
   * The first administrator, with the setup token printed at first start. Like every
   * flow that chooses a password, it refuses a weak one (WeakPasswordError,
   * password-policy.ts) before any key is made or any request sent.
   */
  setup(setupToken: string, email: string, password: string): Promise<NewAccount> {
    return this.createAccount(email, password, (keys) => this.auth.setup({ setupToken, email, keys }));
  }

  enrol(invitationCode: string, email: string, password: string): Promise<NewAccount> {
    return this.createAccount(email, password, (keys) => this.auth.enrol({ invitationCode, email, keys }));
  }

  /** prelogin → Argon2id → login (authKey + TOTP) → unlock the seed with the KEK. */
  async login(email: string, password: string, totpCode: string): Promise<EgideSession> {
    await readyCrypto();
    const { kdf } = await this.auth.prelogin(email);
    const secrets = derivePasswordSecrets(password, kdf);
    try {
      const login = await this.auth.login({ email, authKey: toBase64Url(secrets.authKey), totpCode });
      const unlocked = unlockUserKeys(login.keyBundle.passwordBundle, secrets.kek, 'password', login.keyBundle.publicKeys);
      return await EgideSession.fromLogin(this.http, login, unlocked.userSeed, unlocked.keys, this.options.trustStorage?.(login.user.id));
    } finally {
      sodium.memzero(secrets.kek);
    }
  }

  /** Activates TOTP for an account enrolled earlier (when the first attempt was missed). */
  async confirmTotp(email: string, password: string, totpCode: string): Promise<UserSummaryResponse> {
    await readyCrypto();
    const { kdf } = await this.auth.prelogin(email);
    const secrets = derivePasswordSecrets(password, kdf);
    sodium.memzero(secrets.kek);
    return this.auth.confirmTotp({ email, authKey: toBase64Url(secrets.authKey), totpCode });
  }

  /**
   * Lost password: the recovery key proves itself (its authKey) with a TOTP code, opens
   * the seed, and the seed is wrapped under the new password. Every session ends.
   */
  async recover(email: string, recoveryKeyText: string, totpCode: string, newPassword: string): Promise<void> {
    assertPasswordAcceptable(newPassword, { email });
    await readyCrypto();
    const recovery = deriveRecoverySecrets(parseRecoveryKey(recoveryKeyText));
    try {
      const begun = await this.auth.beginRecovery({ email, recoveryAuthKey: toBase64Url(recovery.authKey), totpCode });
      const seed = unwrapUserSeed(begun.recoveryBundle, recovery.wrappingKey, 'recovery');
      const change = rewrapForNewPassword(seed, newPassword, this.options);
      sodium.memzero(seed);
      await this.auth.completeRecovery({
        recoveryTicket: begun.recoveryTicket,
        newAuthKey: change.authKey,
        kdf: change.kdf,
        passwordBundle: change.passwordBundle,
      });
    } finally {
      sodium.memzero(recovery.wrappingKey);
    }
  }

  private async createAccount(
    email: string,
    password: string,
    send: (keys: ReturnType<typeof enrolUser>['material']) => Promise<EnrolmentResponse>,
  ): Promise<NewAccount> {
    assertPasswordAcceptable(password, { email });
    await readyCrypto();
    const enrolment = enrolUser(password, this.options);
    const response = await send(enrolment.material);
    const authKey = enrolment.material.authKey;
    const recoveryKey = formatRecoveryKey(enrolment.recoveryKey);
    sodium.memzero(enrolment.userSeed);
    sodium.memzero(enrolment.recoveryKey);
    return {
      user: response.user,
      totp: response.totp,
      recoveryKey,
      fingerprint: enrolment.material.fingerprint,
      confirmTotp: (code) => this.auth.confirmTotp({ email, authKey, totpCode: code }),
    };
  }
}
