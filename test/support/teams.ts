/**
 * Team keys for the case tests: the cast's template has enrolled members but no team.
 * `setUpEmbassyTeams` signs in both contacts of embassies A and B, lets the first
 * contact of each create generation 1 and grant it to the second after the fingerprint
 * check (the enrolled fingerprint is the out-of-band value), and returns the sessions
 * and each embassy's team fingerprint (what a sender confirms before a transfer).
 */
import type { EgideSession } from '../../src/client/egide-session';
import { teamKeysFingerprint } from '../../src/client/crypto';
import { bootstrapTeam, grantTo, pendingMembers } from '../../src/client/team-keys-flow';
import { verifyMember } from '../../src/client/trusted-keys';
import type { CastApp, CastKey } from './cast';

export type EmbassyContact = 'contactA1' | 'contactA2' | 'contactB1' | 'contactB2';

export interface EmbassyTeams {
  sessions: Record<EmbassyContact, EgideSession>;
  /** Team fingerprints of generation 1, as members of each embassy would read them out. */
  fingerprints: { embassyA: string; embassyB: string };
}

async function setUpTeam(app: CastApp, first: CastKey, second: CastKey): Promise<{ sessions: [EgideSession, EgideSession]; fingerprint: string }> {
  const founder = await app.login(first);
  const member = await app.login(second);
  const { team } = await bootstrapTeam(founder);
  const pending = (await pendingMembers(founder)).find((candidate) => candidate.userId === member.user.id);
  if (pending === undefined) throw new Error(`${second} is not waiting for a key`);
  await grantTo(founder, pending, app.cast.members[second].fingerprint);
  return { sessions: [founder, member], fingerprint: teamKeysFingerprint(team) };
}

export async function setUpEmbassyTeams(app: CastApp): Promise<EmbassyTeams> {
  const a = await setUpTeam(app, 'contactA1', 'contactA2');
  const b = await setUpTeam(app, 'contactB1', 'contactB2');
  return {
    sessions: { contactA1: a.sessions[0], contactA2: a.sessions[1], contactB1: b.sessions[0], contactB2: b.sessions[1] },
    fingerprints: { embassyA: a.fingerprint, embassyB: b.fingerprint },
  };
}

/**
 * `reader` compares the fingerprints of `members` out of band (the cast's enrolled
 * fingerprints are the out-of-band values) and pins them: what a contact does before
 * reading a case written at another embassy (nothing in its own scope vouches for them).
 */
export async function compareFingerprints(app: CastApp, reader: EgideSession, ...members: CastKey[]): Promise<void> {
  for (const key of members) await verifyMember(reader, app.cast.members[key].userId, app.cast.members[key].fingerprint);
}
