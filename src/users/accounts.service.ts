/**
 * The account rows enrolment creates and re-keys, for auth (exported). Every method takes
 * the `EnrolmentGrant` that a spent invitation or the spent setup token gave: that grant is
 * the access check of these routes, which have no session. Runs inside the caller's
 * transaction, so the grant's spend, the account and the audit event commit together.
 *
 * Re-keying an account also removes every team key grant sealed to its old keys (through
 * keys' TeamMembershipService): they are useless now, and the members grant again after
 * comparing the new fingerprint.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { TeamMembershipService } from '../keys/team-membership.service';
import type { SpentSetupToken } from '../setup/setup-token.service';
import { AccountsRepository, type AccountCredentials, type AccountKeys, type AccountRow } from './accounts.repository';
import { mintEnrolmentGrant, type EnrolmentGrant } from './enrolment-grant';

@Injectable()
export class AccountsService {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly membership: TeamMembershipService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /** The first administrator's grant: the spent setup token stands for an invitation. */
  firstAdministratorGrant(_token: SpentSetupToken, email: string): EnrolmentGrant {
    return mintEnrolmentGrant({
      invitationId: null,
      email,
      displayName: null,
      role: 'ADMIN',
      embassyId: null,
      organisationId: null,
      replacesUserId: null,
    });
  }

  /** Enrolment refuses an e-mail that already has an account (the unique index stays the last word). */
  emailTaken(manager: EntityManager, grant: EnrolmentGrant): Promise<boolean> {
    return this.accounts.emailTaken(manager, grant);
  }

  /** A new account: who it is comes from the grant, its keys and credentials from the client through auth. */
  create(manager: EntityManager, grant: EnrolmentGrant, id: string, keys: AccountKeys, credentials: AccountCredentials): Promise<AccountRow> {
    if (grant.replacesUserId !== null) throw new Error('create with a re-enrolment grant');
    return this.accounts.insert(manager, grant, id, keys, credentials);
  }

  /**
   * A re-enrolment: the account the grant names gets new public keys (auth replaces its
   * credentials in the same transaction) and loses every team key grant. Undefined when the
   * account is gone.
   */
  async replaceKeys(manager: EntityManager, grant: EnrolmentGrant, keys: AccountKeys): Promise<{ account: AccountRow; grantsRemoved: number } | undefined> {
    const { replacesUserId } = grant;
    if (replacesUserId === null) throw new Error('replaceKeys with a grant that replaces no account');
    const account = await this.accounts.replaceKeys(manager, { ...grant, replacesUserId }, keys, this.clock.now());
    if (account === undefined) return undefined;
    const grantsRemoved = await this.membership.removeGrantsOfReenrolledMember(manager, grant);
    return { account, grantsRemoved };
  }
}
