/**
 * The SDK in a real headless Chromium against a real Egide server: a new member enrols
 * from an invitation, activates TOTP, signs in, creates her embassy's team key, creates
 * a case and reads it back decrypted — every step in the page, through the SDK bundle
 * (`npm run build:sdk`), over CORS from the page's own origin to the server's.
 *
 * Node's part is only what is not the SDK's: the administrator issuing the invitation,
 * the authenticator app (TOTP codes at the server's clock), and the checks afterwards:
 * the keys the browser made are the ones the server registered, the server holds the
 * case as ciphertext only, and the Node SDK opens what the browser sealed.
 */
import { rmSync } from 'node:fs';
import { base32Decode, totpCode, totpStep } from '../../src/auth/totp';
import type * as EgideSdk from '../../src/client';
import type { EgideSession } from '../../src/client/egide-session';
import { getCase as getCaseInNode } from '../../src/client/case-flow';
import type { NewCase } from '../../src/client/case-flow';
import { startCastApp, type CastApp } from '../support/cast';
import { makeTempDir } from '../support/test-app';
import { querySql } from '../support/test-database';
import { openSdkPage, serveSdkPage, type SdkBrowser, type SdkPageServer, type SdkWindow } from './browser-harness';

/** What the page keeps between steps, next to the SDK. */
interface PageState extends SdkWindow {
  client?: EgideSdk.EgideClient;
  account?: EgideSdk.NewAccount;
}

const EMAIL = 'ana.lucia@embassy-a.example';
const PASSWORD = 'a long passphrase typed in a browser tab';

const NEW_CASE: NewCase = {
  riskLevel: 'CRITICAL',
  threatTypes: ['DEATH_THREAT', 'SURVEILLANCE'],
  defenderGroups: ['INDIGENOUS', 'ENVIRONMENTAL_LAND'],
  countryOfActivity: 'KE',
  nextReviewAt: '2030-03-01T00:00:00.000Z',
  consentToTransfer: false,
  consentToRefugeSharing: true,
  content: {
    identity: { fullName: 'Wanjirũ Ñúñez-Ødegård', aliases: ['Mama Msitu'], passportNumbers: ['KE-A1234567'] },
    narrative: 'Followed home twice after the hearing on the forest concession; threats by SMS in Kikuyu and Swahili 🌳.',
    location: { city: 'Nakuru', safeHouse: false },
  },
};

let directory: string;
let pageServer: SdkPageServer;
let app: CastApp;
let browser: SdkBrowser;
let admin: EgideSession;

beforeAll(async () => {
  directory = makeTempDir('egide-browser-round-trip-');
  pageServer = await serveSdkPage(directory);
  // The page is served from another origin than the API, as an SDK user's would be.
  app = await startCastApp({ env: { CORS_ORIGINS: pageServer.origin } });
  admin = await app.login('admin');
  browser = await openSdkPage(pageServer.origin);
}, 180_000);

afterAll(async () => {
  admin?.lock();
  await browser?.close();
  await app?.close();
  await pageServer?.close();
  rmSync(directory, { recursive: true, force: true });
});

/** The member's authenticator app: a code for the server's (movable) clock, one step later each time. */
function authenticatorCode(secretBase32: string): string {
  app.clock.advance(30_000);
  return totpCode(base32Decode(secretBase32), totpStep(app.clock.nowSeconds()));
}

async function inPage<R, A>(step: string, run: (arg: A) => Promise<R>, arg: A): Promise<R> {
  try {
    return await browser.page.evaluate<R, A>(run as (arg: unknown) => Promise<R>, arg);
  } catch (error) {
    throw new Error(`${step} failed in the page: ${String(error)}${browser.pageErrors.length > 0 ? `\npage errors:\n${browser.pageErrors.join('\n')}` : ''}`, {
      cause: error,
    });
  }
}

it('enrols from an invitation, creates a case and reads it back decrypted, all in Chromium', async () => {
  const invitation = await admin.admin.invite({ email: EMAIL, displayName: 'Ana Lucía', role: 'EMBASSY_CONTACT', embassyId: app.cast.ids.embassyA });

  // 1. Enrolment: keys made and wrapped in the page; the server gets public keys only.
  const enrolled = await inPage(
    'enrolment',
    async ({ apiUrl, code, email, password }: { apiUrl: string; code: string; email: string; password: string }) => {
      const state = globalThis as unknown as PageState;
      state.client = new state.egide.EgideClient(apiUrl);
      state.account = await state.client.enrol(code, email, password);
      return {
        userId: state.account.user.id,
        role: state.account.user.role,
        totpSecret: state.account.totp.secret,
        fingerprint: state.account.fingerprint,
        recoveryKeyGroups: state.account.recoveryKey.split('-').length,
      };
    },
    { apiUrl: app.url, code: invitation.code, email: EMAIL, password: PASSWORD },
  );
  expect(enrolled.role).toBe('EMBASSY_CONTACT');
  expect(enrolled.recoveryKeyGroups).toBeGreaterThan(1);
  // The fingerprint the page computed from the keys it made is the one of the keys the server registered.
  expect((await admin.admin.getUser(enrolled.userId)).fingerprint).toBe(enrolled.fingerprint);

  // 2. TOTP activation with a first code from the authenticator.
  const activated = await inPage(
    'TOTP activation',
    async (code: string) => {
      const state = globalThis as unknown as PageState;
      if (state.account === undefined) throw new Error('no account in the page');
      return (await state.account.confirmTotp(code)).id;
    },
    authenticatorCode(enrolled.totpSecret),
  );
  expect(activated).toBe(enrolled.userId);

  // 3. Sign in, create the embassy's team key, create a case, read it back.
  const result = await inPage(
    'sign-in, team key, case',
    async ({ email, password, code, newCase }: { email: string; password: string; code: string; newCase: NewCase }) => {
      const state = globalThis as unknown as PageState;
      const { egide } = state;
      if (state.client === undefined) throw new Error('no client in the page');
      const session = await state.client.login(email, password, code);
      try {
        const { team } = await egide.bootstrapTeam(session);
        const created = await egide.createCase(session, newCase);
        const opened = await egide.getCase(session, created.id);
        const listed = await egide.listCases(session);
        return {
          teamFingerprint: egide.teamKeysFingerprint(team),
          created: { id: created.id, reference: created.reference, version: created.version },
          opened: {
            id: opened.id,
            reference: opened.reference,
            embassyId: opened.embassyId,
            riskLevel: opened.riskLevel,
            threatTypes: opened.threatTypes,
            defenderGroups: opened.defenderGroups,
            countryOfActivity: opened.countryOfActivity,
            nextReviewAt: opened.nextReviewAt,
            consentToTransfer: opened.consentToTransfer,
            consentToRefugeSharing: opened.consentToRefugeSharing,
            version: opened.version,
            authorId: opened.author.userId,
            content: opened.content,
          },
          listedIds: listed.items.map((item) => item.id),
        };
      } finally {
        await session.logout();
      }
    },
    { email: EMAIL, password: PASSWORD, code: authenticatorCode(enrolled.totpSecret), newCase: NEW_CASE },
  );

  expect(result.opened).toEqual({
    id: result.created.id,
    reference: result.created.reference,
    embassyId: app.cast.ids.embassyA,
    riskLevel: NEW_CASE.riskLevel,
    threatTypes: NEW_CASE.threatTypes,
    defenderGroups: NEW_CASE.defenderGroups,
    countryOfActivity: NEW_CASE.countryOfActivity,
    nextReviewAt: NEW_CASE.nextReviewAt,
    consentToTransfer: NEW_CASE.consentToTransfer,
    consentToRefugeSharing: NEW_CASE.consentToRefugeSharing,
    version: result.created.version,
    authorId: enrolled.userId,
    content: NEW_CASE.content,
  });
  expect(result.listedIds).toEqual([result.created.id]);
  expect(browser.pageErrors).toEqual([]);

  // The server holds ciphertext: nothing of what the page sealed is in the case's row or its indexes.
  const [row] = await querySql<{ row: string }>(app.database.url, `SELECT row_to_json(c)::text AS row FROM cases c WHERE id = $1`, [result.created.id]);
  const indexes = await querySql<{ value: string }>(app.database.url, `SELECT value FROM case_blind_indexes WHERE case_id = $1`, [result.created.id]);
  expect(row.row).toContain(result.created.id);
  expect(indexes.length).toBeGreaterThanOrEqual(3);
  const stored = row.row + JSON.stringify(indexes);
  for (const secret of ['Wanjir', 'Msitu', 'KE-A1234567', 'A1234567', 'Nakuru', 'forest concession']) expect(stored).not.toContain(secret);

  // What the browser sealed, the Node SDK opens: one protocol, two runtimes.
  const inNode = await app.client.login(EMAIL, PASSWORD, authenticatorCode(enrolled.totpSecret));
  try {
    const opened = await getCaseInNode(inNode, result.created.id);
    expect(opened.content).toEqual(NEW_CASE.content);
    expect(opened.author.userId).toBe(enrolled.userId);
  } finally {
    await inNode.logout();
  }
}, 300_000);
