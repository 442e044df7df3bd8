/**
 * Authentication use cases: setup of the first administrator, enrolment from an
 * invitation, TOTP activation, pre-login, login with mandatory TOTP and lockout,
 * refresh-token rotation with reuse detection, logout (here or everywhere), password
 * change and recovery. Every write and its audit event share one transaction.
 *
 * The server never sees a password or a key that opens sealed content: it receives
 * authKeys (Argon2id outputs) and keeps only Argon2id hashes of them.
 *
 * Failed logins all look alike to the caller (unknown account, wrong authKey, wrong or
 * replayed code, locked, disabled): one status, one body, comparable time.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
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
import { AuthRepository, type PasswordCredentials } from './auth.repository';
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
import { generateTotpSecret, matchTotp, otpauthUri, base32 } from './totp';

const LOGIN_REFUSED = 'The e-mail, key or code is not valid, or the account cannot sign in now';

function refused(): ProblemException {
  return new ProblemException('unauthenticated', LOGIN_REFUSED);
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

  /** The first administrator, with the one-time setup token instead of an invitation. */
  async setup(request: SetupRequest, requestId: string): Promise<EnrolmentResponse> {
    const email = normaliseEmail(request.email);
    const prepared = await this.prepareEnrolment(request.keys);
    return this.dataSource.transaction(async (manager) => {
      if (!(await this.setupTokens.consume(manager, request.setupToken, this.clock.now()))) {
        throw new ProblemException('forbidden', 'The setup token is not valid or has been used');
      }
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

  async enrol(request: EnrolRequest, requestId: string): Promise<EnrolmentResponse> {
    const email = normaliseEmail(request.email);
    const prepared = await this.prepareEnrolment(request.keys);
    return this.dataSource.transaction(async (manager) => {
      const invitation = await this.invitations.consume(manager, request.invitationCode, email, this.clock.now());
      if (invitation === undefined) {
        throw new ProblemException('forbidden', 'The invitation is not valid for this e-mail, has expired or has been used');
      }
      if (invitation.replacesUserId !== null) return this.reenrol(manager, invitation.replacesUserId, request.keys, prepared, requestId);
      if ((await this.auth.findUserByEmail(email, manager)) !== null) {
        throw new ProblemException('conflict', 'An account with this e-mail already exists; an administrator must re-invite it');
      }
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
  async confirmTotp(request: ConfirmTotpRequest, requestId: string): Promise<UserSummaryDto> {
    const user = await this.auth.findUserByEmail(normaliseEmail(request.email));
    const authKeyOk = await authKeyMatches(user?.authKeyHash ?? (await decoyAuthKeyHash()), fromBase64Url(request.authKey));
    if (user === null || !authKeyOk || user.totpEnabledAt !== null || user.status !== 'ACTIVE') throw refused();
    const step = matchTotp(this.totpSecretOf(user), request.totpCode, this.clock.nowSeconds(), Number(user.totpLastStep));
    return this.dataSource.transaction(async (manager) => {
      const enabled = step !== undefined && (await this.auth.enableTotp(manager, user.id, step, this.clock.now()));
      await this.audit.record(manager, {
        action: enabled ? 'auth.mfa-enabled' : 'auth.mfa-refused',
        outcome: enabled ? 'SUCCESS' : 'FAILURE',
        requestId,
        actor: { userId: user.id, role: user.role },
        target: { type: 'user', id: user.id },
      });
      if (!enabled) return undefined;
      return userSummary(user);
    }).then((summary) => {
      if (summary === undefined) throw refused();
      return summary;
    });
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

  async login(request: LoginRequest, requestId: string): Promise<LoginResponse> {
    const user = await this.auth.findUserByEmail(normaliseEmail(request.email));
    // Always verify a hash, so that an unknown account costs the time a known one does.
    const authKeyOk = await authKeyMatches(user?.authKeyHash ?? (await decoyAuthKeyHash()), fromBase64Url(request.authKey));
    const now = this.clock.now();
    if (user === null) {
      await this.dataSource.transaction((manager) =>
        this.audit.record(manager, { action: 'auth.login-refused', outcome: 'FAILURE', requestId, details: { reason: 'unknown-account' } }),
      );
      throw refused();
    }
    const { locked, step, acceptable, reason } = this.assessAttempt(user, authKeyOk, request.totpCode, now);

    const outcome = await this.dataSource.transaction(async (manager) => {
      if (acceptable && step !== undefined && (await this.auth.recordSuccessfulLogin(manager, user.id, step))) {
        const session = await this.tokens.openSession(manager, user.id, user.tokenVersion);
        await this.audit.record(manager, {
          action: 'auth.login',
          outcome: 'SUCCESS',
          requestId,
          actor: { userId: user.id, role: user.role },
          target: { type: 'session', id: session.sessionId },
          scope: scopeOf(user.role, user.embassyId, user.organizationId),
        });
        return session;
      }
      // While locked, attempts do not extend the lock: the right credentials wait it out.
      const lock = locked ? { locked: true } : await this.auth.recordFailedLogin(manager, user.id, now);
      await this.audit.record(manager, {
        action: lock.locked && !locked ? 'auth.lockout' : 'auth.login-refused',
        outcome: 'FAILURE',
        requestId,
        actor: { userId: user.id, role: user.role },
        target: { type: 'user', id: user.id },
        details: { reason },
      });
      return undefined;
    });
    if (outcome === undefined) throw refused();
    const { sessionId: _sessionId, ...tokens } = outcome;
    return {
      ...tokens,
      user: userSummary(user),
      keyBundle: {
        kdf: kdfOf(user),
        passwordBundle: user.passwordBundle,
        publicKeys: { boxPublicKey: user.boxPublicKey, signPublicKey: user.signPublicKey },
        fingerprint: user.fingerprint,
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
   * session ends; this one continues with a fresh access token.
   */
  async changePassword(actor: Actor, request: ChangePasswordRequest): Promise<AccessTokenResponse> {
    const user = await this.auth.findUserById(actor.userId);
    const credentials = await this.newPasswordCredentials(request);
    if (user === null || !(await authKeyMatches(user.authKeyHash, fromBase64Url(request.currentAuthKey)))) {
      throw new ProblemException('forbidden', 'The current password is not right');
    }
    return this.dataSource.transaction(async (manager) => {
      await this.auth.replacePasswordCredentials(manager, user.id, credentials);
      const version = await this.auth.revokeAllSessions(manager, user.id, 'password-changed', this.clock.now(), actor.sessionId);
      await this.audit.record(manager, {
        action: 'auth.password-changed',
        outcome: 'SUCCESS',
        requestId: actor.requestId,
        actor: { userId: user.id, role: user.role },
        target: { type: 'user', id: user.id },
      });
      return this.tokens.accessToken(user.id, actor.sessionId, version);
    });
  }

  /** Proves the recovery key (its authKey) and a TOTP code; hands back the recovery-wrapped seed. */
  async beginRecovery(request: BeginRecoveryRequest, requestId: string): Promise<BeginRecoveryResponse> {
    const user = await this.auth.findUserByEmail(normaliseEmail(request.email));
    const keyOk = await authKeyMatches(user?.recoveryAuthKeyHash ?? (await decoyAuthKeyHash()), fromBase64Url(request.recoveryAuthKey));
    const now = this.clock.now();
    if (user === null) throw refused();
    const { locked, step, acceptable, reason } = this.assessAttempt(user, keyOk, request.totpCode, now);
    const ok = await this.dataSource.transaction(async (manager) => {
      const spent = acceptable && step !== undefined && (await this.auth.recordSuccessfulLogin(manager, user.id, step));
      if (!spent && !locked) await this.auth.recordFailedLogin(manager, user.id, now);
      await this.audit.record(manager, {
        action: spent ? 'auth.recovered' : 'auth.login-refused',
        outcome: spent ? 'SUCCESS' : 'FAILURE',
        requestId,
        actor: { userId: user.id, role: user.role },
        target: { type: 'user', id: user.id },
        details: spent ? { stage: 'recovery-begin' } : { stage: 'recovery-begin', reason },
      });
      return spent;
    });
    if (!ok) throw refused();
    return {
      recoveryTicket: this.tokens.recoveryTicket(user.id, user.tokenVersion),
      recoveryBundle: user.recoveryBundle,
      kdf: kdfOf(user),
      expiresIn: RECOVERY_TICKET_TTL_SECONDS,
    };
  }

  /** Sets the new password credentials; every session of the user ends. */
  async completeRecovery(request: CompleteRecoveryRequest, requestId: string): Promise<void> {
    const credentials = await this.newPasswordCredentials(request);
    const claims = this.tokens.readRecoveryTicket(request.recoveryTicket);
    if (claims === undefined) throw new ProblemException('unauthenticated', 'The recovery ticket is not valid');
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
   * Where a sign-in attempt stands before anything is written: locked, the TOTP step the
   * code matches (only when the key is right: a wrong key must not reveal whether the
   * code was), and why it is refused, for the audit trail.
   */
  private assessAttempt(
    user: User,
    keyOk: boolean,
    totpCode: string,
    now: Date,
  ): { locked: boolean; step: number | undefined; acceptable: boolean; reason: string } {
    const locked = user.lockedUntil !== null && user.lockedUntil > now;
    const step =
      keyOk && user.totpEnabledAt !== null ? matchTotp(this.totpSecretOf(user), totpCode, this.clock.nowSeconds(), Number(user.totpLastStep)) : undefined;
    const reason = locked
      ? 'locked'
      : !keyOk
        ? 'bad-auth-key'
        : user.status !== 'ACTIVE'
          ? 'disabled'
          : step === undefined
            ? 'bad-or-replayed-code'
            : 'replayed-code';
    return { locked, step, acceptable: !locked && keyOk && user.status === 'ACTIVE' && step !== undefined, reason };
  }

  /** Checks new password material (as for enrolment) and hashes the new authKey. */
  private async newPasswordCredentials(request: {
    newAuthKey: string;
    kdf: KdfParameters;
    passwordBundle: ChangePasswordRequest['passwordBundle'];
  }): Promise<PasswordCredentials> {
    checkProtocolInput('kdf', () => validateKdfParameters(request.kdf));
    checkProtocolInput('passwordBundle', () => validateEncryptedKeyBundle(request.passwordBundle));
    if (request.passwordBundle.purpose !== 'password') throw this.fieldError('passwordBundle.purpose', 'must be "password"');
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

  /** Checks the key material and hashes both authKeys (slow) before any transaction opens. */
  private async prepareEnrolment(keys: EnrolmentKeyMaterialDto): Promise<{ authKeyHash: string; recoveryAuthKeyHash: string }> {
    checkProtocolInput('keys', () => validateEnrolmentKeyMaterial(keys));
    await readyCrypto();
    const fingerprint = userKeyFingerprint(fromBase64Url(keys.publicKeys.boxPublicKey), fromBase64Url(keys.publicKeys.signPublicKey));
    if (fingerprint !== keys.fingerprint) throw this.fieldError('keys.fingerprint', 'does not match the public keys');
    const [authKeyHash, recoveryAuthKeyHash] = [await hashAuthKey(fromBase64Url(keys.authKey)), await hashAuthKey(fromBase64Url(keys.recoveryAuthKey))];
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
