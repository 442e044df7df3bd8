/**
 * Display names (docs/identity.md): the administrator sets one on the invitation, the
 * enrolment copies it to the account, and it is shown wherever the member appears —
 * the enrolment and login summaries, whoami, the admin's user list, and the key
 * directory (with the e-mail and the scope's name). Too long or carrying a control
 * character, it is refused with a 400 naming `displayName`.
 */
import { base32Decode, totpCode, totpStep } from '../../src/auth/totp';
import type { EgideSession } from '../../src/client/egide-session';
import { pendingMembers } from '../../src/client/team-keys-flow';
import { startCastApp, type CastApp } from '../support/cast';
import { setUpEmbassyTeams, type EmbassyTeams } from '../support/teams';
import { expectInvalidFields } from './admin-expectations';

let app: CastApp;
let admin: EgideSession;
let teams: EmbassyTeams;

beforeAll(async () => {
  app = await startCastApp();
  admin = await app.login('admin');
  teams = await setUpEmbassyTeams(app);
});

afterAll(async () => {
  admin.lock();
  for (const session of Object.values(teams.sessions)) session.lock();
  await app.close();
});

function codeAtServerTime(secretBase32: string): string {
  app.clock.advance(30_000);
  return totpCode(base32Decode(secretBase32), totpStep(app.clock.nowSeconds()));
}

it('carries the name from the invitation through enrolment to the account and the key directory', async () => {
  const invitation = await admin.admin.invite({
    email: 'Amina.Wanjiru@embassy-a.example',
    displayName: '  Amina Wanjiru ',
    role: 'EMBASSY_CONTACT',
    embassyId: app.cast.ids.embassyA,
  });
  expect(invitation).toMatchObject({ email: 'amina.wanjiru@embassy-a.example', displayName: 'Amina Wanjiru' });
  const listed = (await admin.admin.listInvitations({ limit: 200 })).items.find((item) => item.id === invitation.id);
  expect(listed?.displayName).toBe('Amina Wanjiru');

  const password = 'a passphrase for amina wanjiru';
  const account = await app.client.enrol(invitation.code, invitation.email, password);
  expect(account.user).toMatchObject({ email: invitation.email, displayName: 'Amina Wanjiru' });
  await account.confirmTotp(codeAtServerTime(account.totp.secret));
  const amina = await app.client.login(invitation.email, password, codeAtServerTime(account.totp.secret));
  try {
    expect(amina.user.displayName).toBe('Amina Wanjiru');
    expect(await amina.auth.me()).toMatchObject({ id: account.user.id, displayName: 'Amina Wanjiru' });

    expect(await admin.admin.getUser(account.user.id)).toMatchObject({ displayName: 'Amina Wanjiru', email: invitation.email });
    const users = await admin.admin.listUsers({ embassyId: app.cast.ids.embassyA, limit: 200 });
    expect(users.items.find((user) => user.id === account.user.id)?.displayName).toBe('Amina Wanjiru');

    // The directory says who the keys belong to: name, e-mail and the embassy's name.
    const contact = teams.sessions.contactA1;
    expect(await contact.keysApi.userKeys(account.user.id)).toMatchObject({
      userId: account.user.id,
      email: invitation.email,
      displayName: 'Amina Wanjiru',
      scopeName: 'Embassy A',
      fingerprint: account.user.fingerprint,
    });
    const waiting = (await pendingMembers(contact)).find((member) => member.userId === account.user.id);
    expect(waiting).toMatchObject({ email: invitation.email, displayName: 'Amina Wanjiru', scopeName: 'Embassy A' });
    const holders = await contact.keysApi.holders();
    expect(holders.members.find((member) => member.userId === app.cast.members.contactA2.userId)).toMatchObject({
      email: app.cast.members.contactA2.email,
      displayName: null,
      scopeName: 'Embassy A',
    });
  } finally {
    amina.lock();
  }
});

it("names every kind of scope: an organisation, and the coordinators' network", async () => {
  const ngo = await app.login('ngoX1');
  const coordinator = await app.login('coordinator1');
  try {
    expect(await ngo.keysApi.userKeys(app.cast.members.ngoX1.userId)).toMatchObject({ displayName: null, scopeName: 'Organisation X', email: app.cast.members.ngoX1.email });
    expect(await coordinator.keysApi.userKeys(app.cast.members.coordinator2.userId)).toMatchObject({ scopeName: "Coordinators' network" });
  } finally {
    ngo.lock();
    coordinator.lock();
  }
});

it('accepts names in any script, joiners included, and no name at all', async () => {
  const persian = 'مهسا\u200Cامینی';
  const named = await admin.admin.invite({ email: 'persian@org-x.example', displayName: persian, role: 'NGO', organisationId: app.cast.ids.orgX });
  expect(named.displayName).toBe(persian);
  const longest = await admin.admin.invite({ email: 'longest@org-x.example', displayName: 'é'.repeat(100), role: 'NGO', organisationId: app.cast.ids.orgX });
  expect(longest.displayName).toBe('é'.repeat(100));
  const nameless = await admin.admin.invite({ email: 'nameless@org-x.example', role: 'NGO', organisationId: app.cast.ids.orgX });
  expect(nameless.displayName).toBeNull();
  const blank = await admin.admin.invite({ email: 'blank@org-x.example', displayName: '   ', role: 'NGO', organisationId: app.cast.ids.orgX });
  expect(blank.displayName).toBeNull();
});

it('refuses a name that is too long or carries a control character (400 naming displayName)', async () => {
  const base = { email: 'refused@org-x.example', role: 'NGO' as const, organisationId: app.cast.ids.orgX };
  for (const displayName of [
    'x'.repeat(101),
    'Amina\u0007Wanjiru',
    'Amina\nWanjiru',
    'Amina\u001b[2JWanjiru',
    'Amina\u0085',
    'Amina\u2028Wanjiru',
    'Amina \u202Eurijnaw',
    'Amina \u2066x\u2069',
  ]) {
    await expectInvalidFields(admin.admin.invite({ ...base, displayName }), ['displayName']);
  }
  // Nothing was issued for the refused ones.
  const open = await admin.admin.listInvitations({ limit: 200 });
  expect(open.items.map((item) => item.email)).not.toContain('refused@org-x.example');
});
