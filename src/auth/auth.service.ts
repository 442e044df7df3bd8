/**
 * Authentication use cases: setup of the first administrator, enrolment from an
 * invitation, TOTP activation, pre-login, login with mandatory TOTP and lockout,
 * refresh-token rotation with reuse detection, logout (here or everywhere), password
 * change and recovery. Every write and its audit event share one transaction.
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
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuditAction } from '../audit/audit-event';
import { AuditService } from '../audit/audit.service';
import type { Actor } from '../common/authz/actor';
import { scopeOf, type Role } from '../common/authz/roles';
import { Clock } from '../common/clock';
import { ServerKeys } from '../common/config/server-keys';
import { ProblemException } from '../common/http/problem';
import { checkProtocolInput } from '../common/http/protocol-input';
import { fromBase64Url } from '../crypto/binary-encoding';
import { userKeyFingerprint } from '../crypto/fingerprint';
import { validateEncryptedKeyBundle, validateEnrolmentKeyMaterial, validateKdfParameters, type KdfParameters } from '../crypto/key-bundles';
import { KDF_ALGORITHM_ARGON2ID13, KDF_MEMLIMIT_FLOOR, KDF_OPSLIMIT_FLOOR } from '../crypto/protocol-constants';
import { readyCrypto } from '../crypto/protocol-hash';
import { SetupTokenService } from '../setup/setup-token.service';
import { InvitationsRepository } from '../users/invitations.repository';
import { UsersRepository } from '../users/users.repository';
import type { User } from '../users/user.entity';
import { authKeyMatches, decoyAuthKeyHash, hashAuthKey } from './auth-key-hash';
import { AuthRepository, type Credential, type PasswordCredentials } from './auth.repository';
import { lockDurationMs, LOCKOUT_THRESHOLD } from './credential-lock';
import type {
  AccessTokenResponse,
  BeginRecoveryResponse,
  EnrolmentResponse,
  LoginResponse,
  PreloginResponse,
  SessionTokensResponse,
  UserSummaryDto,
} from './dto/auth-responses.dto';
import type {
  BeginRecoveryRequest,
  ChangePasswordRequest,
  CompleteRecoveryRequest,
  ConfirmTotpRequest,
  EnrolRequest,
  LoginRequest,
  SetupRequest,
} from './dto/auth-requests.dto';
import type { EnrolmentKeyMaterialDto } from './dto/key-material.dto';
import { openServerSecret, sealServerSecret } from './server-sealed-secret';
import { hashRefreshToken, RECOVERY_TICKET_TTL_SECONDS, SessionTokensService } from './session-tokens.service';
import type { AddressAttempt } from './sign-in-address';
import { assessTotpCode, generateTotpSecret, otpauthUri, base32 } from './totp';

const LOGIN_REFUSED = 'The e-mail, key or code is not valid, or the account cannot sign in now';

function refused(): ProblemException {
  return new ProblemException('unauthenticated', LOGIN_REFUSED);
}

/** A sign-in step that proves a key and a TOTP code: what it proves, and what follows. */
interface SignInPurpose {
  readonly stage: 'login' | 'totp-confirm' | 'recovery-begin';
  readonly credential: Credential;
  readonly refusal: AuditAction;
  /** login and recovery need active TOTP; activation needs it not yet active. */
  readonly totpActive: boolean;
}

const LOGIN: SignInPurpose = { stage: 'login', credential: 'password', refusal: 'auth.login-refused', totpActive: true };
const TOTP_ACTIVATION: SignInPurpose = { stage: 'totp-confirm', credential: 'password', refusal: 'auth.mfa-refused', totpActive: false };
const RECOVERY: SignInPurpose = { stage: 'recovery-begin', credential: 'recovery', refusal: 'auth.login-refused', totpActive: true };

/** The proven user, or why not. */
type SignInOutcome = User | 'refused' | 'code-used';

function codeJustUsed(): ProblemException {
  return new ProblemException(
    'totp-code-used',
    'This code has just been used: wait until your authenticator shows the next one (a new code every 30 seconds), then try again with it',
  );
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function userSummary(user: Pick<User, 'id' | 'email' | 'displayName' | 'role' | 'embassyId' | 'organizationId' | 'fingerprint'>): UserSummaryDto {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    role: user.role,
    scope: scopeOf(user.role, user.embassyId, user.organizationId),
    fingerprint: user.fingerprint,
  };
}

function kdfOf(user: User): KdfParameters {
  return { algorithm: KDF_ALGORITHM_ARGON2ID13, salt: user.kdfSalt, opslimit: user.kdfOpslimit, memlimit: Number(user.kdfMemlimit) };
}

@Injectable()
export class AuthService {
  private readonly totpKey: Buffer;
  private readonly decoyKey: Buffer;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly auth: AuthRepository,
    private readonly invitations: InvitationsRepository,
    private readonly users: UsersRepository,
    private readonly setupTokens: SetupTokenService,
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
    return this.dataSource.transaction(async (manager) => {
      if (!(await this.setupTokens.consume(manager, request.setupToken, this.clock.now()))) {
        throw new ProblemException('forbidden', 'The setup token is not valid or has been used');
      }
      await this.checkEnrolmentKeys(request.keys);
      const prepared = await this.hashEnrolmentKeys(request.keys);
      const enrolled = await this.createUser(manager, { email, displayName: null, role: 'ADMIN', embassyId: null, organizationId: null }, request.keys, prepared);
      await this.audit.record(manager, {
        action: 'setup.admin-created',
        outcome: 'SUCCESS',
        requestId,
        actor: { userId: enrolled.user.id, role: 'ADMIN' },
        target: { type: 'user', id: enrolled.user.id },
        scope: { type: 'SYSTEM', id: null },
      });
      return enrolled;
    });
  }

  /** As setup: the invitation code first, then the key material, then the hashes. */
  async enrol(request: EnrolRequest, requestId: string): Promise<EnrolmentResponse> {
    const email = normaliseEmail(request.email);
    return this.dataSource.transaction(async (manager) => {
      const invitation = await this.invitations.consume(manager, request.invitationCode, email, this.clock.now());
      if (invitation === undefined) {
        throw new ProblemException('forbidden', 'The invitation is not valid for this e-mail, has expired or has been used');
      }
      await this.checkEnrolmentKeys(request.keys);
      if (invitation.replacesUserId !== null) {
        return this.reenrol(manager, invitation.replacesUserId, request.keys, await this.hashEnrolmentKeys(request.keys), requestId);
      }
      if ((await this.auth.findUserByEmail(email, manager)) !== null) {
        throw new ProblemException('conflict', 'An account with this e-mail already exists; an administrator must re-invite it');
      }
      const prepared = await this.hashEnrolmentKeys(request.keys);
      // The administrator's display name for this person comes with the invitation.
      const enrolled = await this.createUser(manager, invitation, request.keys, prepared);
      await this.audit.record(manager, {
        action: 'auth.enrol',
        outcome: 'SUCCESS',
        requestId,
        actor: { userId: enrolled.user.id, role: invitation.role },
        target: { type: 'user', id: enrolled.user.id },
        scope: scopeOf(invitation.role, invitation.embassyId, invitation.organizationId),
        details: { invitationId: invitation.id },
      });
      return enrolled;
    });
  }

  /**
   * Re-enrolment after a lost password and a lost recovery key: new keys for the same
   * account. Every session ends and every team grant goes (they were sealed to the old
   * key); members grant the team keys again after checking the new fingerprint.
   */
  private async reenrol(
    manager: EntityManager,
    userId: string,
    keys: EnrolmentKeyMaterialDto,
    prepared: { authKeyHash: string; recoveryAuthKeyHash: string },
    requestId: string,
  ): Promise<EnrolmentResponse> {
    const user = await this.auth.findUserById(userId, manager);
    if (user === null) throw new ProblemException('forbidden', 'The invitation is not valid for this e-mail, has expired or has been used');
    const totpSecret = generateTotpSecret();
    await this.auth.replaceUserKeys(manager, {
      id: user.id,
      kdfSalt: keys.kdf.salt,
      kdfOpslimit: keys.kdf.opslimit,
      kdfMemlimit: keys.kdf.memlimit,
      authKeyHash: prepared.authKeyHash,
      recoveryAuthKeyHash: prepared.recoveryAuthKeyHash,
      boxPublicKey: keys.publicKeys.boxPublicKey,
      signPublicKey: keys.publicKeys.signPublicKey,
      fingerprint: keys.fingerprint,
      passwordBundle: keys.passwordBundle,
      recoveryBundle: keys.recoveryBundle,
      totpSecretSealed: sealServerSecret(this.totpKey, totpSecret, `totp:${user.id}`),
    });
    await this.auth.revokeAllSessions(manager, user.id, 're-enrolled', this.clock.now());
    const grants = await this.users.deleteTeamKeyGrants(manager, user.id);
    await this.audit.record(manager, {
      action: 'auth.reenrolled',
      outcome: 'SUCCESS',
      requestId,
      actor: { userId: user.id, role: user.role },
      target: { type: 'user', id: user.id },
      scope: scopeOf(user.role, user.embassyId, user.organizationId),
      details: { grantsRemoved: grants },
    });
    return {
      user: { ...userSummary(user), fingerprint: keys.fingerprint },
      totp: { secret: base32(totpSecret), otpauthUri: otpauthUri(totpSecret, user.email) },
    };
  }

  /** Activates TOTP with a first valid code; until then the account cannot sign in. */
  async confirmTotp(request: ConfirmTotpRequest, requestId: string, attempt: AddressAttempt): Promise<UserSummaryDto> {
    const user = await this.auth.findUserByEmail(normaliseEmail(request.email));
    const keyOk = await authKeyMatches(user?.authKeyHash ?? (await decoyAuthKeyHash()), fromBase64Url(request.authKey));
    const outcome = await this.dataSource.transaction(async (manager) => {
      const proven = await this.proveKeyAndCode(manager, TOTP_ACTIVATION, user, keyOk, request.totpCode, requestId);
      if (typeof proven === 'string') return proven;
      await this.auth.returnAddressAttempt(manager, attempt.tag, attempt.windowStart);
      await this.audit.record(manager, {
        action: 'auth.mfa-enabled',
        outcome: 'SUCCESS',
        requestId,
        actor: { userId: proven.id, role: proven.role },
        target: { type: 'user', id: proven.id },
      });
      return userSummary(proven);
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
    const user = await this.auth.findUserByEmail(normaliseEmail(email));
    if (user !== null) return { kdf: kdfOf(user) };
    const salt = createHmac('sha256', this.decoyKey).update(normaliseEmail(email)).digest().subarray(0, 16).toString('base64url');
    return { kdf: { algorithm: KDF_ALGORITHM_ARGON2ID13, salt, opslimit: KDF_OPSLIMIT_FLOOR, memlimit: KDF_MEMLIMIT_FLOOR } };
  }

  async login(request: LoginRequest, requestId: string, attempt: AddressAttempt): Promise<LoginResponse> {
    const user = await this.auth.findUserByEmail(normaliseEmail(request.email));
    // Always verify a hash, so that an unknown account costs the time a known one does.
    const keyOk = await authKeyMatches(user?.authKeyHash ?? (await decoyAuthKeyHash()), fromBase64Url(request.authKey));
    const outcome = await this.dataSource.transaction(async (manager) => {
      const proven = await this.proveKeyAndCode(manager, LOGIN, user, keyOk, request.totpCode, requestId);
      if (typeof proven === 'string') return proven;
      const session = await this.tokens.openSession(manager, proven.id, proven.tokenVersion);
      await this.auth.returnAddressAttempt(manager, attempt.tag, attempt.windowStart);
      await this.audit.record(manager, {
        action: 'auth.login',
        outcome: 'SUCCESS',
        requestId,
        actor: { userId: proven.id, role: proven.role },
        target: { type: 'session', id: session.sessionId },
        scope: scopeOf(proven.role, proven.embassyId, proven.organizationId),
      });
      return { user: proven, session };
    });
    if (outcome === 'refused') throw refused();
    if (outcome === 'code-used') throw codeJustUsed();
    const { sessionId: _sessionId, ...tokens } = outcome.session;
    const signedIn = outcome.user;
    return {
      ...tokens,
      user: userSummary(signedIn),
      keyBundle: {
        kdf: kdfOf(signedIn),
        passwordBundle: signedIn.passwordBundle,
        publicKeys: { boxPublicKey: signedIn.boxPublicKey, signPublicKey: signedIn.signPublicKey },
        fingerprint: signedIn.fingerprint,
      },
    };
  }

  /**
   * Exchanges a refresh token for a new pair. A token presented twice means it was
   * copied: the whole session (family) is revoked, the thief's copy and the owner's.
   */
  async refresh(refreshToken: string, requestId: string): Promise<SessionTokensResponse> {
    const now = this.clock.now();
    const result = await this.dataSource.transaction(async (manager) => {
      const row = await this.auth.lockRefreshToken(manager, hashRefreshToken(refreshToken));
      if (row === undefined) return undefined;
      if (row.used_at !== null) {
        await this.auth.revokeSession(manager, row.session_id, 'refresh-token-reuse', now);
        await this.audit.record(manager, {
          action: 'auth.refresh-reuse',
          outcome: 'DENIED',
          requestId,
          actor: { userId: row.user_id, role: row.role },
          target: { type: 'session', id: row.session_id },
        });
        return undefined;
      }
      if (row.expires_at <= now || row.session_revoked_at !== null || row.status !== 'ACTIVE') return undefined;
      await this.auth.markRefreshTokenUsed(manager, row.id, now);
      const next = await this.tokens.refreshToken(manager, row.session_id);
      await this.audit.record(manager, {
        action: 'auth.refresh',
        outcome: 'SUCCESS',
        requestId,
        actor: { userId: row.user_id, role: row.role },
        target: { type: 'session', id: row.session_id },
      });
      return { ...this.tokens.accessToken(row.user_id, row.session_id, row.token_version), refreshToken: next };
    });
    if (result === undefined) throw new ProblemException('unauthenticated', 'The refresh token is not valid');
    return result;
  }

  async logout(actor: Actor): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await this.auth.revokeSession(manager, actor.sessionId, 'logout', this.clock.now());
      await this.audit.record(manager, {
        action: 'auth.logout',
        outcome: 'SUCCESS',
        requestId: actor.requestId,
        actor: { userId: actor.userId, role: actor.role },
        target: { type: 'session', id: actor.sessionId },
      });
    });
  }

  async logoutEverywhere(actor: Actor): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await this.auth.revokeAllSessions(manager, actor.userId, 'logout-everywhere', this.clock.now());
      await this.audit.record(manager, {
        action: 'auth.logout-everywhere',
        outcome: 'SUCCESS',
        requestId: actor.requestId,
        actor: { userId: actor.userId, role: actor.role },
        target: { type: 'user', id: actor.userId },
      });
    });
  }

  async whoami(actor: Actor): Promise<UserSummaryDto> {
    const user = await this.auth.findUserSummary(actor.userId);
    if (user === undefined) throw refused();
    return userSummary(user);
  }

  /**
   * New salt, new authKey, the same seed re-wrapped under the new KEK. Every other
   * session ends; this one continues with a fresh access token. The current password is a
   * guess made within a session: a wrong one counts towards the password's lock and is
   * audited, and while the password is locked no change is judged at all.
   */
  async changePassword(actor: Actor, request: ChangePasswordRequest): Promise<AccessTokenResponse> {
    const user = await this.auth.findUserById(actor.userId);
    if (user === null) throw refused();
    this.checkNewPasswordMaterial(request);
    const now = this.clock.now();
    const refusal = (reason: string): Parameters<AuditService['record']>[1] => ({
      action: 'auth.password-change-refused',
      outcome: 'FAILURE',
      requestId: actor.requestId,
      actor: { userId: user.id, role: user.role },
      target: { type: 'user', id: user.id },
      details: { reason },
    });
    const outcome = await this.dataSource.transaction(async (manager) => {
      const guess = await this.auth.takeGuess(manager, user.id, 'password', now);
      if (guess === undefined) {
        await this.audit.record(manager, refusal('locked'));
        return 'locked' as const;
      }
      if (!(await authKeyMatches(user.authKeyHash, fromBase64Url(request.currentAuthKey)))) {
        if (await this.lockIfExhausted(manager, user, 'password', 'password-change', guess, actor.requestId)) return 'locked' as const;
        await this.audit.record(manager, refusal('bad-current-key'));
        return 'wrong' as const;
      }
      // The new authKey is hashed only once the current one is proven.
      const credentials = await this.newPasswordCredentials(request);
      await this.auth.replacePasswordCredentials(manager, user.id, credentials);
      const version = await this.auth.revokeAllSessions(manager, user.id, 'password-changed', now, actor.sessionId);
      await this.audit.record(manager, {
        action: 'auth.password-changed',
        outcome: 'SUCCESS',
        requestId: actor.requestId,
        actor: { userId: user.id, role: user.role },
        target: { type: 'user', id: user.id },
      });
      return this.tokens.accessToken(user.id, actor.sessionId, version);
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
    const user = await this.auth.findUserByEmail(normaliseEmail(request.email));
    const keyOk = await authKeyMatches(user?.recoveryAuthKeyHash ?? (await decoyAuthKeyHash()), fromBase64Url(request.recoveryAuthKey));
    const outcome = await this.dataSource.transaction(async (manager) => {
      const proven = await this.proveKeyAndCode(manager, RECOVERY, user, keyOk, request.totpCode, requestId);
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
    return {
      recoveryTicket: this.tokens.recoveryTicket(outcome.id, outcome.tokenVersion),
      recoveryBundle: outcome.recoveryBundle,
      kdf: kdfOf(outcome),
      expiresIn: RECOVERY_TICKET_TTL_SECONDS,
    };
  }

  /** Sets the new password credentials; every session of the user ends. */
  async completeRecovery(request: CompleteRecoveryRequest, requestId: string): Promise<void> {
    this.checkNewPasswordMaterial(request);
    // The ticket (a signature check) before the new authKey's hash.
    const claims = this.tokens.readRecoveryTicket(request.recoveryTicket);
    if (claims === undefined) throw new ProblemException('unauthenticated', 'The recovery ticket is not valid');
    const credentials = await this.newPasswordCredentials(request);
    await this.dataSource.transaction(async (manager) => {
      const user = await this.auth.findUserById(claims.sub, manager);
      // The version moves on completion: a ticket works once.
      if (user === null || user.tokenVersion !== claims.ver || user.status !== 'ACTIVE') {
        throw new ProblemException('unauthenticated', 'The recovery ticket is not valid');
      }
      await this.auth.replacePasswordCredentials(manager, user.id, credentials);
      await this.auth.revokeAllSessions(manager, user.id, 'recovered', this.clock.now());
      await this.audit.record(manager, {
        action: 'auth.password-changed',
        outcome: 'SUCCESS',
        requestId,
        actor: { userId: user.id, role: user.role },
        target: { type: 'user', id: user.id },
        details: { via: 'recovery' },
      });
    });
  }

  /**
   * Judges a key and a TOTP code inside the caller's transaction, audits a refusal, and
   * spends the code's step on success, returning the proven user (the caller then writes
   * its own success event).
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
    user: User | null,
    keyOk: boolean,
    totpCode: string,
    requestId: string,
  ): Promise<SignInOutcome> {
    const refuse = async (reason: string): Promise<SignInOutcome> => {
      await this.audit.record(manager, {
        action: purpose.refusal,
        outcome: 'FAILURE',
        requestId,
        actor: user === null ? null : { userId: user.id, role: user.role },
        target: user === null ? null : { type: 'user', id: user.id },
        details: { stage: purpose.stage, reason },
      });
      return 'refused';
    };
    if (user === null) return refuse('unknown-account');
    if (!keyOk) return refuse(purpose.credential === 'recovery' ? 'bad-recovery-key' : 'bad-auth-key');
    if (user.status !== 'ACTIVE') return refuse('disabled');
    if ((user.totpEnabledAt !== null) !== purpose.totpActive) return refuse(purpose.totpActive ? 'mfa-not-active' : 'mfa-already-active');
    const now = this.clock.now();
    const guess = await this.auth.takeGuess(manager, user.id, purpose.credential, now);
    if (guess === undefined) return refuse('locked');
    const code = assessTotpCode(this.totpSecretOf(user), totpCode, this.clock.nowSeconds(), Number(user.totpLastStep));
    if (code.verdict === 'valid') {
      const spent = purpose.totpActive
        ? await this.auth.spendTotpStep(manager, user.id, code.step, purpose.credential)
        : await this.auth.enableTotp(manager, user.id, code.step, now);
      if (spent) return user;
    }
    if (code.verdict !== 'wrong') {
      // Valid but already spent (here, or by a concurrent request): not a guess.
      await this.auth.returnGuess(manager, user.id, purpose.credential);
      await refuse('code-just-used');
      return 'code-used';
    }
    if (await this.lockIfExhausted(manager, user, purpose.credential, purpose.stage, guess, requestId)) return 'refused';
    return refuse('bad-code');
  }

  /** After a wrong guess: the fifth in a row locks the credential (audited `auth.lockout`). */
  private async lockIfExhausted(
    manager: EntityManager,
    user: User,
    credential: Credential,
    stage: string,
    guess: { guesses: number; lockouts: number },
    requestId: string,
  ): Promise<boolean> {
    if (guess.guesses < LOCKOUT_THRESHOLD) return false;
    const until = new Date(this.clock.now().getTime() + lockDurationMs(guess.lockouts));
    await this.auth.lockCredential(manager, user.id, credential, until);
    await this.audit.record(manager, {
      action: 'auth.lockout',
      outcome: 'FAILURE',
      requestId,
      actor: { userId: user.id, role: user.role },
      target: { type: 'user', id: user.id },
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

  private totpSecretOf(user: User): Buffer {
    return openServerSecret(this.totpKey, user.totpSecretSealed, `totp:${user.id}`);
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

  private async createUser(
    manager: EntityManager,
    account: { email: string; displayName: string | null; role: Role; embassyId: string | null; organizationId: string | null },
    keys: EnrolmentKeyMaterialDto,
    prepared: { authKeyHash: string; recoveryAuthKeyHash: string },
  ): Promise<EnrolmentResponse> {
    const totpSecret = generateTotpSecret();
    // The sealed secret is bound to the user id, so it cannot be moved to another row;
    // the id is chosen here for that reason.
    const id = randomUUID();
    const { email, displayName, role, embassyId, organizationId } = account;
    await this.auth.insertUser(manager, {
      id,
      email,
      displayName,
      role,
      embassyId,
      organizationId,
      kdfSalt: keys.kdf.salt,
      kdfOpslimit: keys.kdf.opslimit,
      kdfMemlimit: keys.kdf.memlimit,
      authKeyHash: prepared.authKeyHash,
      recoveryAuthKeyHash: prepared.recoveryAuthKeyHash,
      boxPublicKey: keys.publicKeys.boxPublicKey,
      signPublicKey: keys.publicKeys.signPublicKey,
      fingerprint: keys.fingerprint,
      passwordBundle: keys.passwordBundle,
      recoveryBundle: keys.recoveryBundle,
      totpSecretSealed: sealServerSecret(this.totpKey, totpSecret, `totp:${id}`),
    });
    return {
      user: { id, email, displayName, role, scope: scopeOf(role, embassyId, organizationId), fingerprint: keys.fingerprint },
      totp: { secret: base32(totpSecret), otpauthUri: otpauthUri(totpSecret, email) },
    };
  }
}
