/**
 * The checks of a submitted grant that need what the database said (docs/protocol.md
 * §5.6), in an order that tells the caller what is wrong without revealing anything about
 * other scopes. Pure: the caller fetched the caller's and the recipient's keys.
 */
import type { KeyObject } from 'node:crypto';
import { fieldProblem, NotFoundProblem } from '../common/http/problem';
import { checkProtocolInput } from '../common/http/protocol-input';
import { verifyTeamKeyGrantOnServer } from '../common/crypto/signature-verifier';
import type { TeamKeyGrantDto } from './dto/key-material.dto';
import { assertOwnScope, lower, type TeamScope } from './keys.policy';
import type { MemberKeysRow } from './keys.repository';

/** What a grant is checked against, besides its own structure and signature. */
export interface GrantExpectation {
  /** Where the grant sits in the body (`''`: the body is the grant). */
  readonly field: string;
  readonly scope: TeamScope;
  readonly generation: number;
  readonly teamBoxPublicKey: string;
  readonly caller: MemberKeysRow;
  readonly callerSignKey: KeyObject;
  /** The recipient as an eligible member of the scope; undefined when they are not one. */
  readonly recipient: MemberKeysRow | undefined;
}

export function verifyGrant(grant: TeamKeyGrantDto, expected: GrantExpectation): void {
  const field = (name: string): string => (expected.field === '' ? name : `${expected.field}.${name}`);
  assertOwnScope(expected.scope, grant.scopeId);
  if (grant.generation !== expected.generation) throw fieldProblem(field('generation'), `must be ${expected.generation}`);
  if (lower(grant.granterUserId) !== expected.caller.user_id) throw fieldProblem(field('granterUserId'), 'must be the caller');
  // Not a member, another scope, disabled, an ADMIN or an AUDITOR: all "no such member".
  if (expected.recipient === undefined) throw new NotFoundProblem('member');
  if (grant.recipientBoxPublicKey !== expected.recipient.box_public_key) {
    throw fieldProblem(field('recipientBoxPublicKey'), "is not the recipient's registered key");
  }
  // The granter vouches for this sign key to every reader who trusts the granter: it
  // must be the one the recipient registered (and the granter compared by fingerprint).
  if (grant.recipientSignPublicKey !== expected.recipient.sign_public_key) {
    throw fieldProblem(field('recipientSignPublicKey'), "is not the recipient's registered key");
  }
  if (grant.teamBoxPublicKey !== expected.teamBoxPublicKey) {
    throw fieldProblem(field('teamBoxPublicKey'), "is not the generation's team key");
  }
  checkProtocolInput(field('signature'), () => verifyTeamKeyGrantOnServer(grant, expected.callerSignKey));
}
