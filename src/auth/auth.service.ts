/**
 * Authentication use cases: setup of the first administrator, enrolment from an
 * invitation (and re-enrolment), TOTP activation, pre-login, login with mandatory TOTP and
 * lockout, password change and recovery. Every write and its audit event share one
 * transaction. Sessions themselves (refresh, logout) are SessionsService's.
 *
 * Each method begins with its access check. The own-account routes start from
 * `ownUser(actor)`; the routes without a session start from the credential they present —
 * the setup token or invitation code (spent first, one indexed UPDATE), or the e-mail whose
 * account the key and TOTP code must then prove — and reach the account only through what
 * that check returned (an EnrolmentGrant, a CredentialRow).
 *
 * The server never sees a password or a key that opens sealed content: it receives
 * authKeys (Argon2id outputs) and keeps only Argon2id hashes of them.
 *
 * Failed logins all look alike to the caller (unknown account, wrong authKey, wrong
 * code, locked, disabled): one status, one body, comparable time. The one exception is a
 * code refused only because it was just used, after the right key: only someone who holds
 * the password and a current code can see it, and they are told to wait for the next one.
 *
 * Brute force (docs/identity.md): a wrong key never locks an account, so knowing an e-mail
 * is not enough to keep its owner out; guesses made behind a proven factor (a code after
 * the right key, a current password within a session) lock that credential, each lock in
 * a row twice as long as the last; the other credential (the recovery key, or the
 * password) still opens the account. Invitation codes and setup tokens are checked before
 * any Argon2id work, so a bad one costs one indexed UPDATE.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuditEvent } from '../audit/audit-event';
import type { AuthAuditAction } from './auth-audit-actions';
import { AuditService } from '../audit/audit.service';
import type { Actor } from '../common/authz/actor';
import { scopeOf } from '../contract/roles';
import { ownUser, type OwnUserId } from '../common/authz/scope';
import { Clock } from '../common/clock';
import { ServerKeys } from '../common/config/server-keys';
import { Database } from '../common/database/database';
import { normaliseEmail } from '../common/http/email-address';
import { ProblemException } from '../common/http/problem';
import { checkProtocolInput } from '../common/http/protocol-input';
import { fromBase64Url } from '../crypto/binary-encoding';
import { userKeyFingerprint } from '../crypto/fingerprint';
import { validateEncryptedKeyBundle, validateEnrolmentKeyMaterial, validateKdfParameters, type KdfParameters } from '../crypto/key-bundles';
import { KDF_ALGORITHM_ARGON2ID13, KDF_MEMLIMIT_FLOOR, KDF_OPSLIMIT_FLOOR } from '../crypto/protocol-constants';
import { readyCrypto } from '../crypto/protocol-hash';
import { SetupTokenService } from '../setup/setup-token.service';
import type { AccountRow } from '../users/accounts.repository';
import { AccountsService } from '../users/accounts.service';
import type { EnrolmentGrant } from '../users/enrolment-grant';
import { InvitationsService } from '../users/invitations.service';
import { authKeyMatches, decoyAuthKeyHash, hashAuthKey } from './auth-key-hash';
import { toBeginRecoveryResponse, toEnrolmentResponse, toKdfParameters, toLoginResponse, toUserSummaryResponse } from './auth.mappers';
import { AuthRepository, type Credential, type CredentialRow, type PasswordCredentials } from './auth.repository';
import { lockDurationMs, LOCKOUT_THRESHOLD } from './credential-lock';
import type { AccessTokenResponse } from './dto/access-token.response';
import type { BeginRecoveryRequest } from './dto/begin-recovery.dto';
import type { BeginRecoveryResponse } from './dto/begin-recovery.response';
import type { ChangePasswordRequest } from './dto/change-password.dto';
import type { CompleteRecoveryRequest } from './dto/complete-recovery.dto';
import type { ConfirmTotpRequest } from './dto/confirm-totp.dto';
import type { EnrolRequest } from './dto/enrol-account.dto';
import type { EnrolmentKeyMaterialDto } from './dto/enrolment-key-material.dto';
import type { EnrolmentResponse } from './dto/enrolment.response';
import type { LoginRequest } from './dto/login.dto';
import type { LoginResponse } from './dto/login.response';
import type { PreloginResponse } from './dto/prelogin.response';
import type { SetupRequest } from './dto/set-up-administrator.dto';
import type { UserSummaryResponse } from './dto/user-summary.response';
import { openServerSecret, sealServerSecret } from './server-sealed-secret';
import { SessionTokensService } from './session-tokens.service';
import { SessionsService } from './sessions.service';
import type { AddressAttempt } from './sign-in-address';
import { assessTotpCode, generateTotpSecret } from './totp';

const LOGIN_REFUSED = 'The e-mail, key or code is not valid, or the account cannot sign in now';
const INVITATION_REFUSED = 'The invitation is not valid for this e-mail, has expired or has been used';

function refused(): ProblemException {
  return new ProblemException('unauthenticated', LOGIN_REFUSED);
}

/** A sign-in step that proves a key and a TOTP code: what it proves, and what follows. */
interface SignInPurpose {
  readonly stage: 'login' | 'totp-confirm' | 'recovery-begin';
  readonly credential: Credential;
  readonly refusal: AuthAuditAction;
  /** login and recovery need active TOTP; activation needs it not yet active. */
  readonly totpActive: boolean;
}

const LOGIN: SignInPurpose = { stage: 'login', credential: 'password', refusal: 'auth.login-refused', totpActive: true };
const TOTP_ACTIVATION: SignInPurpose = { stage: 'totp-confirm', credential: 'password', refusal: 'auth.mfa-refused', totpActive: false };
const RECOVERY: SignInPurpose = { stage: 'recovery-begin', credential: 'recovery', refusal: 'auth.login-refused', totpActive: true };

/** The proven account, or why not. */
type SignInOutcome = CredentialRow | 'refused' | 'code-used';

function codeJustUsed(): ProblemException {
  return new ProblemException(
    'totp-code-used',
    'This code has just been used: wait until your authenticator shows the next one (a new code every 30 seconds), then try again with it',
  );
}

/** The account whose key and TOTP code the caller has just proven: from here on it acts as itself. */
function provenSelf(account: CredentialRow): OwnUserId {
  return account.id as OwnUserId;
}

@Injectable()
export class AuthService {
  private readonly totpKey: Buffer;
  private readonly decoyKey: Buffer;

  constructor(
    private readonly database: Database,
    private readonly auth: AuthRepository,
    private readonly invitations: InvitationsService,
    private readonly accounts: AccountsService,
    private readonly setupTokens: SetupTokenService,
    private readonly sessions: SessionsService,
    private readonly tokens: SessionTokensService,
    private readonly audit: AuditService,
    @Inject(Clock) private readonly clock: Clock,
    serverKeys: ServerKeys,
  ) {
    this.totpKey = serverKeys.derive('totp-at-rest');
    this.decoyKey = serverKeys.derive('prelogin-decoy');
  }

  /**
   * The first administrator, with the one-time setup token instead of an invitation. The
   * token is checked first (one indexed UPDATE); the Argon2id hashes come after, in the same
   * transaction, so a wrong token costs no hashing and a refusal leaves the token unspent.
   */
  async setup(request: SetupRequest, requestId: string): Promise<EnrolmentResponse> {
    const email = normaliseEmail(request.email);
    return this.database.transaction(async (manager) => {
      const token = await this.setupTokens.consume(manager, request.setupToken);
      if (token === undefined) throw new ProblemException('forbidden', 'The setup token is not valid or has been used');
      await this.checkEnrolmentKeys(request.keys);
      const grant = this.accounts.firstAdministratorGrant(token, email);
      const { account, totpSecret } = await this.createAccount(manager, grant, request.keys);
      await this.audit.record(manager, {
        action: 'setup.admin-created',
        outcome: 'SUCCESS',
        requestId,
        actor: { userId: account.id, role: 'ADMIN' },
        target: { type: 'user', id: account.id },
        scope: { type: 'SYSTEM', id: null },
      });
      return toEnrolmentResponse(account, totpSecret);
    });
  }

  /** As setup: the invitation code first, then the key material, then the hashes. */
  async enrol(request: EnrolRequest, requestId: string): Promise<EnrolmentResponse> {
    const email = normaliseEmail(request.email);
    return this.database.transaction(async (manager) => {
      const grant = await this.invitations.spend(manager, request.invitationCode, email);
      if (grant === undefined) throw new ProblemException('forbidden', INVITATION_REFUSED);
      await this.checkEnrolmentKeys(request.keys);
      if (grant.replacesUserId !== null) return this.reenrol(manager, grant, request.keys, requestId);
      if (await this.accounts.emailTaken(manager, grant)) {
        throw new ProblemException('conflict', 'An account with this e-mail already exists; an administrator must re-invite it');
      }
      // The administrator's display name for this person comes with the invitation.
      const { account, totpSecret } = await this.createAccount(manager, grant, request.keys);
      await this.audit.record(manager, {
        action: 'auth.enrol',
        outcome: 'SUCCESS',
        requestId,
        actor: { userId: account.id, role: account.role },
        target: { type: 'user', id: account.id },
        scope: scopeOf(account.role, account.embassy_id, account.organisation_id),
        details: { invitationId: grant.invitationId },
      });
      return toEnrolmentResponse(account, totpSecret);
    });
  }

  /**
   * Re-enrolment after a lost password and a lost recovery key: new keys for the same
   * account. Every session ends and every team grant goes (they were sealed to the old
   * key); members grant the team keys again after checking the new fingerprint.
   */
  private async reenrol(manager: EntityManager, grant: EnrolmentGrant, keys: EnrolmentKeyMaterialDto, requestId: string): Promise<EnrolmentResponse> {
    const hashes = await this.hashEnrolmentKeys(keys);
    const replaced = await this.accounts.replaceKeys(manager, grant, {
      boxPublicKey: keys.publicKeys.boxPublicKey,
      signPublicKey: keys.publicKeys.signPublicKey,
      fingerprint: keys.fingerprint,
    });
    if (replaced === undefined) throw new ProblemException('forbidden', INVITATION_REFUSED);
    const { account, grantsRemoved } = replaced;
    const totpSecret = generateTotpSecret();
    await this.auth.replaceEnrolmentCredentials(
      manager,
      grant,
      {
        kdfSalt: keys.kdf.salt,
        kdfOpslimit: keys.kdf.opslimit,
        kdfMemlimit: keys.kdf.memlimit,
        authKeyHash: hashes.authKeyHash,
        passwordBundle: keys.passwordBundle,
        recoveryAuthKeyHash: hashes.recoveryAuthKeyHash,
        recoveryBundle: keys.recoveryBundle,
        totpSecretSealed: sealServerSecret(this.totpKey, totpSecret, `totp:${account.id}`),
      },
      this.clock.now(),
    );
    await this.sessions.endSessionsOfReenrolled(manager, grant);
    await this.audit.record(manager, {
      action: 'auth.reenrolled',
      outcome: 'SUCCESS',
      requestId,
      actor: { userId: account.id, role: account.role },
      target: { type: 'user', id: account.id },
      scope: scopeOf(account.role, account.embassy_id, account.organisation_id),
      details: { grantsRemoved },
    });
    return toEnrolmentResponse(account, totpSecret);
  }

  /** Activates TOTP with a first valid code; until then the account cannot sign in. */
  async confirmTotp(request: ConfirmTotpRequest, requestId: string, attempt: AddressAttempt): Promise<UserSummaryResponse> {
    const account = await this.auth.findCredentialsByEmail(this.database.manager, normaliseEmail(request.email));
    const keyOk = await authKeyMatches(account?.auth_key_hash ?? (await decoyAuthKeyHash()), fromBase64Url(request.authKey));
    const outcome = await this.database.transaction(async (manager) => {
      const proven = await this.proveKeyAndCode(manager, TOTP_ACTIVATION, account, keyOk, request.totpCode, requestId);
      if (typeof proven === 'string') return proven;
      await this.auth.returnAddressAttempt(manager, attempt.tag, attempt.windowStart);
      await this.audit.record(manager, {
        action: 'auth.mfa-enabled',
        outcome: 'SUCCESS',
        requestId,
        actor: { userId: proven.id, role: proven.role },
        target: { type: 'user', id: proven.id },
      });
      return toUserSummaryResponse(proven);
    });
    if (outcome === 'refused') throw refused();
    if (outcome === 'code-used') throw codeJustUsed();
    return outcome;
  }

  /**
   * The salt and limits a client needs to derive its keys. An unknown e-mail gets
   * stable values derived from a server key, of the same shape as a real account's.
   */
  async prelogin(email: string): Promise<PreloginResponse> {
    const normalised = normaliseEmail(email);
    const account = await this.auth.findCredentialsByEmail(this.database.manager, normalised);
    if (account !== undefined) return { kdf: toKdfParameters(account) };
    const salt = createHmac('sha256', this.decoyKey).update(normalised).digest().subarray(0, 16).toString('base64url');
    return { kdf: { algorithm: KDF_ALGORITHM_ARGON2ID13, salt, opslimit: KDF_OPSLIMIT_FLOOR, memlimit: KDF_MEMLIMIT_FLOOR } };
  }

  async login(request: LoginRequest, requestId: string, attempt: AddressAttempt): Promise<LoginResponse> {
    const account = await this.auth.findCredentialsByEmail(this.database.manager, normaliseEmail(request.email));
    // Always verify a hash, so that an unknown account costs the time a known one does.
    const keyOk = await authKeyMatches(account?.auth_key_hash ?? (await decoyAuthKeyHash()), fromBase64Url(request.authKey));
    const outcome = await this.database.transaction(async (manager) => {
      const proven = await this.proveKeyAndCode(manager, LOGIN, account, keyOk, request.totpCode, requestId);
      if (typeof proven === 'string') return proven;
      const session = await this.sessions.open(manager, provenSelf(proven), proven.token_version);
      await this.auth.returnAddressAttempt(manager, attempt.tag, attempt.windowStart);
      await this.audit.record(manager, {
        action: 'auth.login',
        outcome: 'SUCCESS',
        requestId,
        actor: { userId: proven.id, role: proven.role },
        target: { type: 'session', id: session.sessionId },
        scope: scopeOf(proven.role, proven.embassy_id, proven.organisation_id),
      });
      return toLoginResponse(proven, session);
    });
    if (outcome === 'refused') throw refused();
    if (outcome === 'code-used') throw codeJustUsed();
    return outcome;
  }

  async whoami(actor: Actor): Promise<UserSummaryResponse> {
    const self = ownUser(actor);
    const account = await this.auth.findSummary(this.database.manager, self);
    if (account === undefined) throw refused();
    return toUserSummaryResponse(account);
  }

  /**
   * New salt, new authKey, the same seed re-wrapped under the new KEK. Every other
   * session ends; this one continues with a fresh access token. The current password is a
   * guess made within a session: a wrong one counts towards the password's lock and is
   * audited, and while the password is locked no change is judged at all.
   */
  async changePassword(actor: Actor, request: ChangePasswordRequest): Promise<AccessTokenResponse> {
    const self = ownUser(actor);
    const account = await this.auth.findOwnCredentials(this.database.manager, self);
    if (account === undefined) throw refused();
    this.checkNewPasswordMaterial(request);
    const now = this.clock.now();
    const refusal = (reason: string): AuditEvent => ({
      action: 'auth.password-change-refused',
      outcome: 'FAILURE',
      repeatable: true,
      requestId: actor.requestId,
      actor: { userId: account.id, role: account.role },
      target: { type: 'user', id: account.id },
      details: { reason },
    });
    const outcome = await this.database.transaction(async (manager) => {
      const guess = await this.auth.takeGuess(manager, account, 'password', now);
      if (guess === undefined) {
        await this.audit.record(manager, refusal('locked'));
        return 'locked' as const;
      }
      if (!(await authKeyMatches(account.auth_key_hash, fromBase64Url(request.currentAuthKey)))) {
        if (await this.lockIfExhausted(manager, account, 'password', 'password-change', guess, actor.requestId)) return 'locked' as const;
        await this.audit.record(manager, refusal('bad-current-key'));
        return 'wrong' as const;
      }
      // The new authKey is hashed only once the current one is proven.
      const credentials = await this.newPasswordCredentials(request);
      await this.auth.replacePasswordCredentials(manager, account, credentials, now);
      const version = await this.sessions.endOwnSessions(manager, self, 'password-changed', actor.sessionId);
      await this.audit.record(manager, {
        action: 'auth.password-changed',
        outcome: 'SUCCESS',
        requestId: actor.requestId,
        actor: { userId: account.id, role: account.role },
        target: { type: 'user', id: account.id },
      });
      return this.tokens.accessToken(account.id, actor.sessionId, version);
    });
    if (outcome === 'wrong') throw new ProblemException('forbidden', 'The current password is not right');
    if (outcome === 'locked') {
      throw new ProblemException(
        'forbidden',
        'After repeated wrong passwords or codes, your password is locked for now: no change is possible and signing in with it is refused until the lock ends. `egide recover` (your recovery key) still works',
      );
    }
    return outcome;
  }

  /**
   * Proves the recovery key (its authKey) and a TOTP code; hands back the recovery-wrapped
   * seed. The recovery key has a lock of its own: a password locked by someone who guessed
   * codes behind it does not stop its owner from recovering (and so replacing it).
   */
  async beginRecovery(request: BeginRecoveryRequest, requestId: string, attempt: AddressAttempt): Promise<BeginRecoveryResponse> {
    const account = await this.auth.findCredentialsByEmail(this.database.manager, normaliseEmail(request.email));
    const keyOk = await authKeyMatches(account?.recovery_auth_key_hash ?? (await decoyAuthKeyHash()), fromBase64Url(request.recoveryAuthKey));
    const outcome = await this.database.transaction(async (manager) => {
      const proven = await this.proveKeyAndCode(manager, RECOVERY, account, keyOk, request.totpCode, requestId);
      if (typeof proven === 'string') return proven;
      await this.auth.returnAddressAttempt(manager, attempt.tag, attempt.windowStart);
      await this.audit.record(manager, {
        action: 'auth.recovered',
        outcome: 'SUCCESS',
        requestId,
        actor: { userId: proven.id, role: proven.role },
        target: { type: 'user', id: proven.id },
        details: { stage: 'recovery-begin' },
      });
      return proven;
    });
    if (outcome === 'refused') throw refused();
    if (outcome === 'code-used') throw codeJustUsed();
    return toBeginRecoveryResponse(outcome, this.tokens.recoveryTicket(outcome.id, outcome.token_version));
  }

  /** Sets the new password credentials; every session of the user ends. */
  async completeRecovery(request: CompleteRecoveryRequest, requestId: string): Promise<void> {
    this.checkNewPasswordMaterial(request);
    // The ticket (a signature check) before the new authKey's hash: it is this route's access check.
    const claims = this.tokens.readRecoveryTicket(request.recoveryTicket);
    if (claims === undefined) throw new ProblemException('unauthenticated', 'The recovery ticket is not valid');
    // The ticket was issued to whoever proved the recovery key and a code of this account.
    const self = claims.sub as OwnUserId;
    const credentials = await this.newPasswordCredentials(request);
    await this.database.transaction(async (manager) => {
      const account = await this.auth.findOwnCredentials(manager, self);
      // The version moves on completion: a ticket works once.
      if (account === undefined || account.token_version !== claims.ver || account.status !== 'ACTIVE') {
        throw new ProblemException('unauthenticated', 'The recovery ticket is not valid');
      }
      await this.auth.replacePasswordCredentials(manager, account, credentials, this.clock.now());
      await this.sessions.endOwnSessions(manager, self, 'recovered');
      await this.audit.record(manager, {
        action: 'auth.password-changed',
        outcome: 'SUCCESS',
        requestId,
        actor: { userId: account.id, role: account.role },
        target: { type: 'user', id: account.id },
        details: { via: 'recovery' },
      });
    });
  }

  /**
   * Judges a key and a TOTP code inside the caller's transaction, audits a refusal, and
   * spends the code's step on success, returning the proven account (the caller then
   * writes its own success event).
   *
   * A wrong key is refused without touching the account's counters: anyone who knows an
   * e-mail can send one, and letting that lock the account would let them keep its owner
   * out. Only with the right key is the code judged, and then as a guess of the credential
   * (taken before it is judged, so concurrent guesses cannot exceed the threshold); the
   * fifth wrong code in a row locks the credential. A code refused only because its step
   * was just spent gives its guess back.
   */
  private async proveKeyAndCode(
    manager: EntityManager,
    purpose: SignInPurpose,
    account: CredentialRow | undefined,
    keyOk: boolean,
    totpCode: string,
    requestId: string,
  ): Promise<SignInOutcome> {
    const refuse = async (reason: string): Promise<SignInOutcome> => {
      await this.audit.record(manager, {
        action: purpose.refusal,
        outcome: 'FAILURE',
        repeatable: true,
        requestId,
        actor: account === undefined ? null : { userId: account.id, role: account.role },
        target: account === undefined ? null : { type: 'user', id: account.id },
        details: { stage: purpose.stage, reason },
      });
      return 'refused';
    };
    if (account === undefined) return refuse('unknown-account');
    if (!keyOk) return refuse(purpose.credential === 'recovery' ? 'bad-recovery-key' : 'bad-auth-key');
    if (account.status !== 'ACTIVE') return refuse('disabled');
    if ((account.totp_enabled_at !== null) !== purpose.totpActive) return refuse(purpose.totpActive ? 'mfa-not-active' : 'mfa-already-active');
    const now = this.clock.now();
    const guess = await this.auth.takeGuess(manager, account, purpose.credential, now);
    if (guess === undefined) return refuse('locked');
    const code = assessTotpCode(this.totpSecretOf(account), totpCode, this.clock.nowSeconds(), Number(account.totp_last_step));
    if (code.verdict === 'valid') {
      const spent = purpose.totpActive
        ? await this.auth.spendTotpStep(manager, account, code.step, purpose.credential)
        : await this.auth.enableTotp(manager, account, code.step, now);
      if (spent) return account;
    }
    if (code.verdict !== 'wrong') {
      // Valid but already spent (here, or by a concurrent request): not a guess.
      await this.auth.returnGuess(manager, account, purpose.credential);
      await refuse('code-just-used');
      return 'code-used';
    }
    if (await this.lockIfExhausted(manager, account, purpose.credential, purpose.stage, guess, requestId)) return 'refused';
    return refuse('bad-code');
  }

  /** After a wrong guess: the fifth in a row locks the credential (audited `auth.lockout`). */
  private async lockIfExhausted(
    manager: EntityManager,
    account: CredentialRow,
    credential: Credential,
    stage: string,
    guess: { guesses: number; lockouts: number },
    requestId: string,
  ): Promise<boolean> {
    if (guess.guesses < LOCKOUT_THRESHOLD) return false;
    const until = new Date(this.clock.now().getTime() + lockDurationMs(guess.lockouts));
    await this.auth.lockCredential(manager, account, credential, until);
    await this.audit.record(manager, {
      action: 'auth.lockout',
      outcome: 'FAILURE',
      requestId,
      actor: { userId: account.id, role: account.role },
      target: { type: 'user', id: account.id },
      details: { credential, stage, lockedUntil: until.toISOString(), lockNumber: guess.lockouts + 1 },
    });
    return true;
  }

  /** New password material, checked as for enrolment (cheap: no hash). */
  private checkNewPasswordMaterial(request: { kdf: KdfParameters; passwordBundle: ChangePasswordRequest['passwordBundle'] }): void {
    checkProtocolInput('kdf', () => validateKdfParameters(request.kdf));
    checkProtocolInput('passwordBundle', () => validateEncryptedKeyBundle(request.passwordBundle));
    if (request.passwordBundle.purpose !== 'password') throw this.fieldError('passwordBundle.purpose', 'must be "password"');
  }

  /** The new password's credentials, with its authKey hashed (slow: once everything else is proven). */
  private async newPasswordCredentials(request: {
    newAuthKey: string;
    kdf: KdfParameters;
    passwordBundle: ChangePasswordRequest['passwordBundle'];
  }): Promise<PasswordCredentials> {
    return {
      kdfSalt: request.kdf.salt,
      kdfOpslimit: request.kdf.opslimit,
      kdfMemlimit: request.kdf.memlimit,
      authKeyHash: await hashAuthKey(fromBase64Url(request.newAuthKey)),
      passwordBundle: request.passwordBundle,
    };
  }

  private fieldError(field: string, message: string): ProblemException {
    return new ProblemException('validation-failed', `Invalid field(s): ${field}`, {}, [{ field, messages: [`${field} ${message}`] }]);
  }

  private totpSecretOf(account: CredentialRow): Buffer {
    return openServerSecret(this.totpKey, account.totp_secret_sealed, `totp:${account.id}`);
  }

  /** The key material's sizes, formats, KDF floor and fingerprint (cheap: no hash). */
  private async checkEnrolmentKeys(keys: EnrolmentKeyMaterialDto): Promise<void> {
    checkProtocolInput('keys', () => validateEnrolmentKeyMaterial(keys));
    await readyCrypto();
    const fingerprint = userKeyFingerprint(fromBase64Url(keys.publicKeys.boxPublicKey), fromBase64Url(keys.publicKeys.signPublicKey));
    if (fingerprint !== keys.fingerprint) throw this.fieldError('keys.fingerprint', 'does not match the public keys');
  }

  /** Argon2id hashes of both authKeys (slow: only once the code or token is spent and the keys checked). */
  private async hashEnrolmentKeys(keys: EnrolmentKeyMaterialDto): Promise<{ authKeyHash: string; recoveryAuthKeyHash: string }> {
    const authKeyHash = await hashAuthKey(fromBase64Url(keys.authKey));
    const recoveryAuthKeyHash = await hashAuthKey(fromBase64Url(keys.recoveryAuthKey));
    return { authKeyHash, recoveryAuthKeyHash };
  }

  /** A new account from the grant, with the client's keys and the credentials hashed and sealed here. */
  private async createAccount(manager: EntityManager, grant: EnrolmentGrant, keys: EnrolmentKeyMaterialDto): Promise<{ account: AccountRow; totpSecret: Buffer }> {
    const hashes = await this.hashEnrolmentKeys(keys);
    const totpSecret = generateTotpSecret();
    // The sealed secret is bound to the user id, so it cannot be moved to another row;
    // the id is chosen here for that reason.
    const id = randomUUID();
    const account = await this.accounts.create(
      manager,
      grant,
      id,
      { boxPublicKey: keys.publicKeys.boxPublicKey, signPublicKey: keys.publicKeys.signPublicKey, fingerprint: keys.fingerprint },
      {
        kdfSalt: keys.kdf.salt,
        kdfOpslimit: keys.kdf.opslimit,
        kdfMemlimit: keys.kdf.memlimit,
        authKeyHash: hashes.authKeyHash,
        recoveryAuthKeyHash: hashes.recoveryAuthKeyHash,
        passwordBundle: keys.passwordBundle,
        recoveryBundle: keys.recoveryBundle,
        totpSecretSealed: sealServerSecret(this.totpKey, totpSecret, `totp:${id}`),
      },
    );
    return { account, totpSecret };
  }
}
