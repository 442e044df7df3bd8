/**
 * `npm run demo`: Egide end to end, as its clients would use it, in well under a minute.
 * It starts a server on a fresh embedded PostgreSQL in a temporary DATA_DIR (or, with
 * DATABASE_URL, on a fresh database it creates on that server and drops afterwards; or
 * it uses the server at EGIDE_URL, whose setup token must then be in EGIDE_SETUP_TOKEN),
 * and then, through the SDK only (never SQL): sets up the administrator, two embassies
 * and an organisation, enrols two contacts per embassy (playing their authenticator
 * apps), creates each embassy's team key and grants it after the fingerprint check,
 * opens ten cases with their timelines, transfers one case from Nairobi to Bogotá with
 * the defender's recorded consent, and shreds one. It ends by printing one case as a
 * Bogotá contact reads it after verification and decryption, and a one-line summary.
 *
 * Every person, place detail, passport number and incident below is fictional. The
 * demo prints decrypted content for the one case it shows and nothing else: passwords,
 * TOTP secrets, recovery keys, invitation codes and tokens stay in memory.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { base32Decode, TOTP_STEP_SECONDS, totpCode, totpStep } from '../src/auth/totp';
import type { CaseStatus } from '../src/contract/case-vocabulary';
import type { MemberEventType } from '../src/contract/case-vocabulary';
import {
  addCaseEvent,
  assignCase,
  CaseShreddedError,
  createCase,
  findDuplicates,
  getCase,
  listCaseEvents,
  reindexCase,
  setCaseStatus,
  shredCase,
  transferCase,
  updateCase,
  type CaseUpdate,
  type NewCase,
  type OpenedCase,
  type OpenedCaseEvent,
} from '../src/client/case-flow';
import { teamKeysFingerprint, type JsonValue } from '../src/client/crypto';
import { EgideClient, type NewAccount } from '../src/client/egide-client';
import type { EgideSession } from '../src/client/egide-session';
import { EgideApiError } from '../src/client/http-client';
import { bootstrapTeam, grantTo, openMyTeamKeys, pendingMembers, type MyTeamKeys } from '../src/client/team-keys-flow';
import { verifyMember } from '../src/client/trusted-keys';
import { renderOpenedCase, renderTimeline } from '../src/cli/commands/case-view';
import { startEgide } from '../src/server';

export interface DemoOutput {
  write(text: string): void;
}

export interface DemoOptions {
  /** An Egide server to use instead of starting one; it must have no administrator yet. */
  url?: string;
  /** The setup token of the server at `url` (printed at its first start). */
  setupToken?: string;
  /** A PostgreSQL server to create the demo's own database on (and drop it afterwards). */
  databaseUrl?: string;
  out: DemoOutput;
  /** Aborting stops the server at once and removes what the demo created (Ctrl-C). */
  signal?: AbortSignal;
}

export interface DemoCounts {
  embassies: number;
  organisations: number;
  users: number;
  cases: number;
  events: number;
  transfers: number;
  shreds: number;
}

export interface DemoResult {
  counts: DemoCounts;
  /** The case printed at the end, as its embassy's contact opened it. */
  shownCase: OpenedCase;
  shownEvents: OpenedCaseEvent[];
  phases: { name: string; ms: number }[];
  totalMs: number;
}

/** A failure the person running the demo can fix (a missing token, a used server). */
export class DemoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DemoError';
  }
}

// ---------------------------------------------------------------------------------
// The server

interface DemoServer {
  url: string;
  setupToken: string;
  description: string;
  close(): Promise<void>;
}

/** A database name of our own, so that the demo never touches anything that exists. */
function demoDatabaseName(): string {
  return `egide_demo_${randomBytes(5).toString('hex')}`;
}

async function onMaintenanceDatabase(serverUrl: string, run: (client: Client) => Promise<void>): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await run(client);
  } finally {
    await client.end();
  }
}

async function startDemoServer(options: DemoOptions): Promise<DemoServer> {
  if (options.url !== undefined) {
    if (options.setupToken === undefined) {
      throw new DemoError(
        `EGIDE_URL is set (${options.url}) but EGIDE_SETUP_TOKEN is not: the demo sets up that server's first administrator and needs the setup token it printed at its first start. Or unset EGIDE_URL and let the demo start its own server.`,
      );
    }
    return { url: options.url, setupToken: options.setupToken, description: `the server at ${options.url}`, close: () => Promise.resolve() };
  }
  // 0711: as root the embedded PostgreSQL runs as the `postgres` user, which must traverse it.
  const dataDir = mkdtempSync(join(tmpdir(), 'egide-demo-'));
  chmodSync(dataDir, 0o711);
  let databaseUrl = '';
  let dropDatabase = (): Promise<void> => Promise.resolve();
  if (options.databaseUrl !== undefined) {
    const name = demoDatabaseName();
    await onMaintenanceDatabase(options.databaseUrl, async (client) => {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
    });
    const url = new URL(options.databaseUrl);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    dropDatabase = () =>
      onMaintenanceDatabase(options.databaseUrl ?? '', async (client) => {
        await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
      });
  }
  const cleanUp = async (): Promise<void> => {
    try {
      await dropDatabase();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  };
  try {
    const server = await startEgide({
      // An environment of its own: the demo must not pick up a production NODE_ENV or port.
      env: {
        DATA_DIR: dataDir,
        DATABASE_URL: databaseUrl,
        HOST: '127.0.0.1',
        PORT: '0',
        NODE_ENV: 'development',
        LOG_LEVEL: 'error',
        API_DOCS: 'false',
        // One client plays five people from one address: 20 credential calls a minute is
        // what they need together, so the budget is raised for this throwaway server.
        AUTH_RATE_LIMIT_PER_MINUTE: '120',
      },
      logDestination: process.stderr,
    });
    if (server.setupToken === undefined) {
      await server.close();
      throw new DemoError('the demo database already has an administrator');
    }
    let closing: Promise<void> | undefined;
    return {
      url: server.url,
      setupToken: server.setupToken,
      description: `${server.url}, ${databaseUrl === '' ? 'fresh embedded PostgreSQL' : `fresh database on ${new URL(databaseUrl).host}`} in ${dataDir}`,
      // Once only: an interruption and the run's own `finally` may both ask.
      close: () =>
        (closing ??= (async () => {
          try {
            await server.close();
          } finally {
            await cleanUp();
          }
        })()),
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

// ---------------------------------------------------------------------------------
// People: accounts, and the authenticator app each of them would have on a phone

/**
 * A TOTP authenticator for one account. The server takes a code of the previous, the
 * current or the next 30-second step, each step once: a second code in the same step is
 * the next step's, and only past that does the demo wait.
 */
class Authenticator {
  private lastStep = 0;

  constructor(private readonly secret: Uint8Array) {}

  async nextCode(): Promise<string> {
    const now = totpStep(Date.now() / 1000);
    const step = Math.max(now, this.lastStep + 1);
    if (step > now + 1) await sleep(((step - 1) * TOTP_STEP_SECONDS - Date.now() / 1000) * 1000 + 50);
    this.lastStep = step;
    return totpCode(this.secret, step);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** On a server the demo did not start, the credential rate limit may bite: wait and retry. */
async function patiently<T>(call: () => Promise<T>, out: DemoOutput): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof EgideApiError) || error.status !== 429 || attempt >= 8) throw error;
      out.write('      (rate-limited by the server: waiting 10 s)\n');
      await sleep(10_000);
    }
  }
}

interface Person {
  name: string;
  email: string;
  account: NewAccount;
  session: EgideSession;
}

type EmbassyKey = 'nairobi' | 'bogota';
type ContactKey = 'first' | 'second';

interface Embassy {
  id: string;
  name: string;
  contacts: Record<ContactKey, Person>;
  /** The team fingerprint its members would read out to another embassy. */
  teamFingerprint: string;
  teamKeys: Record<ContactKey, MyTeamKeys>;
}

const EMBASSY_PLAN: Record<EmbassyKey, { name: string; country: string; city: string; contacts: Record<ContactKey, { name: string; email: string }> }> = {
  nairobi: {
    name: 'Embassy in Nairobi',
    country: 'KE',
    city: 'Nairobi',
    contacts: {
      first: { name: 'Wanjiru Kamau', email: 'w.kamau@nairobi.embassy.example' },
      second: { name: 'Tobias Lindqvist', email: 't.lindqvist@nairobi.embassy.example' },
    },
  },
  bogota: {
    name: 'Embassy in Bogotá',
    country: 'CO',
    city: 'Bogotá',
    contacts: {
      first: { name: 'Lucía Restrepo', email: 'l.restrepo@bogota.embassy.example' },
      second: { name: 'Jonas Keller', email: 'j.keller@bogota.embassy.example' },
    },
  },
};

// ---------------------------------------------------------------------------------
// The casework: fictional, shaped on what protection desks record (docs/cases.md)

function daysAgo(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}

function inDays(days: number): string {
  return `${new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)}T00:00:00.000Z`;
}

type Step =
  | { event: MemberEventType; daysAgo: number; summary: string; details?: { [key: string]: JsonValue } }
  | { status: CaseStatus }
  | { assign: ContactKey }
  | { update: Omit<CaseUpdate, 'version'> };

interface CasePlan {
  key: string;
  embassy: EmbassyKey;
  author: ContactKey;
  reviewInDays: number;
  input: Omit<NewCase, 'nextReviewAt'>;
  steps: Step[];
}

function event(type: MemberEventType, days: number, summary: string, details?: { [key: string]: JsonValue }): Step {
  return { event: type, daysAgo: days, summary, details };
}

const CASES: CasePlan[] = [
  {
    key: 'lamu-land',
    embassy: 'nairobi',
    author: 'first',
    reviewInDays: 30,
    input: {
      riskLevel: 'HIGH',
      threatTypes: ['DEATH_THREAT', 'SURVEILLANCE', 'SMEAR_CAMPAIGN'],
      defenderGroups: ['ENVIRONMENTAL_LAND', 'WOMEN_DEFENDER'],
      countryOfActivity: 'KE',
      consentToTransfer: false,
      consentToRefugeSharing: true,
      content: {
        identity: { fullName: 'Halima Mwanaisha Bakari', birthDate: '1981-04-12', gender: 'female', nationality: 'Kenyan', passportNumbers: ['AK4471902'] },
        contacts: { signal: '+254 7xx xxx 219 (Signal only)', email: 'not used since March: account compromised' },
        location: { county: 'Lamu', area: 'Hindi division (village withheld)', staying: 'with relatives in Malindi since three weeks' },
        narrative:
          'Chairs a community land committee opposing the fencing of communal grazing land for a private logistics zone. Since the committee petitioned the Environment and Land Court, she has received death threats by phone and was followed twice by men on a motorbike. A local radio programme called her a "foreign-funded saboteur".',
        protectionMeasures: [
          { category: 'physical security', measure: 'solar security lights and a reinforced door at the family home', status: 'done' },
          { category: 'digital security', measure: 'new phone, Signal with disappearing messages, training by a partner NGO', status: 'in progress' },
          { category: 'monitoring and advocacy', measure: 'embassy observer at the next court hearing', status: 'planned' },
        ],
        family: { dependants: 'three children (8, 12 and 15)', concern: 'the eldest was approached at school by men asking about his mother' },
        notes: 'Prefers calls after 19:00 EAT. Never mention the embassy in SMS.',
      },
    },
    steps: [
      event('THREAT_INCIDENT', 40, 'Anonymous call: "stop the petition or you will be buried with it". Reported to the police; OB number received.'),
      { status: 'ASSESSING' },
      event('CONTACT', 35, 'First meeting at the embassy; risk assessed together with the defender.'),
      event('REVIEW', 33, 'Threats credible: specific, repeated and timed with the court calendar.', { riskLevel: 'HIGH' }),
      { status: 'PROTECTION_ACTIVE' },
      event('MEASURE', 30, 'Security lights and door reinforcement installed (embassy small-grants line).', { category: 'physical security' }),
      event('THREAT_INCIDENT', 9, 'Followed from the court registry to the matatu stage by two men on a motorbike.'),
      { assign: 'second' },
    ],
  },
  {
    key: 'kampala-journalist',
    embassy: 'nairobi',
    author: 'second',
    reviewInDays: 21,
    input: {
      riskLevel: 'HIGH',
      threatTypes: ['JUDICIAL_HARASSMENT', 'DETENTION', 'DIGITAL_ATTACK'],
      defenderGroups: ['JOURNALIST'],
      countryOfActivity: 'UG',
      consentToTransfer: true,
      consentToRefugeSharing: false,
      content: {
        identity: { fullName: 'Daniel Ssekandi Mugerwa', birthDate: '1990-09-03', gender: 'male', nationality: 'Ugandan', passportNumbers: ['B0938127'] },
        narrative:
          'Investigative reporter for an online outlet, covering enforced disappearances after the elections. Charged with "offensive communication" after publishing a list of missing persons; held three days without access to a lawyer. His outlet’s website was taken down by a denial-of-service attack the same week.',
        protectionMeasures: [{ category: 'legal support', measure: 'defence lawyer retained through a regional press-freedom network' }],
      },
    },
    steps: [
      event('THREAT_INCIDENT', 26, 'Arrested at the newsroom; released on police bond after three days.'),
      { status: 'ASSESSING' },
      event('MEASURE', 20, 'Lawyer’s fees for the bail and first hearing covered.', { category: 'legal support' }),
      event('CONTACT', 6, 'Trial observation agreed with two other embassies for the hearing next month.', { category: 'monitoring and advocacy' }),
    ],
  },
  {
    key: 'nairobi-lgbti',
    embassy: 'nairobi',
    author: 'first',
    reviewInDays: 7,
    input: {
      riskLevel: 'CRITICAL',
      threatTypes: ['PHYSICAL_ATTACK', 'SMEAR_CAMPAIGN', 'THREAT_TO_FAMILY'],
      defenderGroups: ['LGBTI_DEFENDER'],
      countryOfActivity: 'KE',
      consentToTransfer: false,
      consentToRefugeSharing: true,
      content: {
        identity: { fullName: 'Kevin Omondi Atieno', aliases: ['Kev O.'], birthDate: '1995-01-22', nationality: 'Kenyan', passportNumbers: ['AK7710384'] },
        narrative:
          'Runs a drop-in centre offering legal aid to LGBTI people. Beaten outside the centre by a group that filmed the attack; the video and his home area were posted on a social media page calling for "cleansing". His mother received threatening visits.',
        protectionMeasures: [
          { category: 'urgent relocation', measure: 'temporary safe house for six weeks' },
          { category: 'medical and psychosocial support', measure: 'treatment of injuries; counselling sessions' },
          { category: 'secure transport', measure: 'vetted driver for the move and medical appointments' },
        ],
        family: { mother: 'lives in Kisumu; moved to a sister’s home for now' },
      },
    },
    steps: [
      event('THREAT_INCIDENT', 12, 'Assaulted outside the drop-in centre; attack filmed and posted with his home area.'),
      { status: 'ASSESSING' },
      event('REVIEW', 11, 'Risk critical: identified publicly, location known, explicit calls to violence.', { riskLevel: 'CRITICAL' }),
      { status: 'PROTECTION_ACTIVE' },
      event('MEASURE', 10, 'Moved to a safe house with a vetted driver; medical follow-up arranged.', { category: 'urgent relocation' }),
    ],
  },
  {
    key: 'addis-lawyer',
    embassy: 'nairobi',
    author: 'second',
    reviewInDays: 60,
    input: {
      riskLevel: 'HIGH',
      threatTypes: ['ADMINISTRATIVE_MEASURES', 'TRAVEL_BAN', 'SURVEILLANCE'],
      defenderGroups: ['LAWYER', 'WOMEN_DEFENDER'],
      countryOfActivity: 'ET',
      consentToTransfer: true,
      consentToRefugeSharing: true,
      content: {
        identity: { fullName: 'Meron Tesfaye Alemu', birthDate: '1984-11-30', gender: 'female', nationality: 'Ethiopian', passportNumbers: ['EP2209176'] },
        narrative:
          'Represents detained journalists and opposition activists. Her law firm’s licence was suspended for "irregularities" and she was stopped at the airport on her way to a regional human rights commission session.',
      },
    },
    steps: [
      event('CONTACT', 95, 'Met at a regional human rights commission session; asked for support.'),
      { status: 'ASSESSING' },
      { status: 'PROTECTION_ACTIVE' },
      event('MEASURE', 80, 'Digital security audit of the firm; encrypted case files.', { category: 'digital security' }),
      event('REVIEW', 15, 'Travel ban lifted after an appeal; licence restored. Risk lowered.', { riskLevel: 'MEDIUM' }),
      { update: { riskLevel: 'MEDIUM' } },
      { status: 'MONITORING' },
    ],
  },
  {
    key: 'cauca-delegate',
    embassy: 'nairobi',
    author: 'first',
    reviewInDays: 14,
    input: {
      riskLevel: 'HIGH',
      threatTypes: ['DEATH_THREAT', 'SURVEILLANCE', 'THREAT_TO_FAMILY'],
      defenderGroups: ['ENVIRONMENTAL_LAND', 'INDIGENOUS', 'WOMEN_DEFENDER'],
      countryOfActivity: 'CO',
      consentToTransfer: true,
      consentToRefugeSharing: false,
      content: {
        identity: {
          fullName: 'Rosa Elena Quintero Ipia',
          aliases: ['Rosa Quintero'],
          birthDate: '1979-06-08',
          gender: 'female',
          nationality: 'Colombian',
          passportNumbers: ['AX5520931'],
        },
        contacts: {
          phone: '+57 3xx xxx 4412 (Signal, WhatsApp off)',
          trustedContact: 'the reserve’s legal adviser, reachable through the partner organisation in Popayán',
          checkIn: 'daily message before 20:00 Bogotá time; two missed check-ins trigger the alert protocol',
        },
        location: { region: 'northern Cauca', community: 'indigenous reserve (name withheld)', current: 'returning home from Nairobi' },
        narrative:
          'Spokesperson of her reserve’s indigenous guard, documenting illegal gold mining on the river and the mercury it leaves. She came to Nairobi with a civil-society delegation to the UN Environment Assembly. While she was here, a pamphlet signed by an armed group declared her a "military objective", and strangers asked for her at her home. She decided to go back to her community and asked that her case follow her to the embassy in Bogotá.',
        protectionMeasures: [
          { category: 'communications', measure: 'satellite messenger for areas without coverage', status: 'handed over in Nairobi' },
          { category: 'security training', measure: 'self-protection workshop with the indigenous guard', status: 'requested' },
          { category: 'monitoring and advocacy', measure: 'embassy visit to the reserve with the UN human rights office', status: 'to plan from Bogotá' },
        ],
        family: { partner: 'also a guard member', children: 'two, 10 and 14, staying with their grandmother', concern: 'the pamphlet names her family' },
        notes: 'Speaks Nasa Yuwe and Spanish; prefers Spanish for calls. Consent to the transfer signed in Nairobi (paper form kept in the safe).',
      },
    },
    steps: [
      event('THREAT_INCIDENT', 18, 'Pamphlet signed by an armed group declares her a "military objective"; photo sent by her partner.'),
      { status: 'ASSESSING' },
      event('CONTACT', 17, 'Meeting at the embassy in Nairobi: she chooses to return home; consents to her case moving to Bogotá.'),
      event('REVIEW', 16, 'Risk high on return; protection to continue from Bogotá with the partner organisation.', { riskLevel: 'HIGH' }),
      { status: 'PROTECTION_ACTIVE' },
      event('MEASURE', 15, 'Satellite messenger handed over; check-in and alert protocol agreed.', { category: 'communications' }),
      { assign: 'first' },
    ],
  },
  {
    key: 'juba-anticorruption',
    embassy: 'nairobi',
    author: 'second',
    reviewInDays: 7,
    input: {
      riskLevel: 'CRITICAL',
      threatTypes: ['ABDUCTION', 'SURVEILLANCE', 'BLACKMAIL'],
      defenderGroups: ['ANTI_CORRUPTION'],
      countryOfActivity: 'SS',
      consentToTransfer: false,
      consentToRefugeSharing: false,
      content: {
        identity: { fullName: 'Peter Lual Akech', birthDate: '1987-02-17', gender: 'male', nationality: 'South Sudanese', passportNumbers: ['R00481736'] },
        narrative:
          'Exposed the diversion of oil revenue through shell companies. A colleague was abducted for four days and questioned about him; he is being pressed to "sell" his documents.',
      },
    },
    steps: [
      event('THREAT_INCIDENT', 5, 'A colleague abducted for four days and questioned about his sources.'),
      { status: 'ASSESSING' },
      event('CONTACT', 1, 'He asks that no file be kept: a phone holding the embassy’s number was seized at a checkpoint.'),
    ],
  },
  {
    key: 'buenaventura-council',
    embassy: 'bogota',
    author: 'first',
    reviewInDays: 7,
    input: {
      riskLevel: 'CRITICAL',
      threatTypes: ['DEATH_THREAT', 'PHYSICAL_ATTACK', 'THREAT_TO_FAMILY'],
      defenderGroups: ['ENVIRONMENTAL_LAND'],
      countryOfActivity: 'CO',
      consentToTransfer: false,
      consentToRefugeSharing: true,
      content: {
        identity: { fullName: 'Jhon Fredy Angulo Caicedo', birthDate: '1976-12-01', gender: 'male', nationality: 'Colombian', passportNumbers: ['AR3318455'] },
        narrative:
          'Legal representative of an Afro-Colombian community council defending collective land titles against a port expansion. Shots were fired at his house at night; a funeral wreath with his name was left at the council office.',
        protectionMeasures: [
          { category: 'urgent relocation', measure: 'temporary relocation to Cali with his family, embassy-funded for two months' },
          { category: 'legal support', measure: 'request to the national protection unit for a protection scheme' },
        ],
      },
    },
    steps: [
      event('THREAT_INCIDENT', 22, 'Shots fired at his house at night; no one injured.'),
      { status: 'ASSESSING' },
      event('THREAT_INCIDENT', 20, 'Funeral wreath with his name left at the community council office.'),
      { status: 'PROTECTION_ACTIVE' },
      event('MEASURE', 19, 'Family relocated to Cali; protection scheme requested from the national protection unit.', { category: 'urgent relocation' }),
      { assign: 'second' },
    ],
  },
  {
    key: 'cordoba-restitution',
    embassy: 'bogota',
    author: 'second',
    reviewInDays: 90,
    input: {
      riskLevel: 'MEDIUM',
      threatTypes: ['JUDICIAL_HARASSMENT', 'SMEAR_CAMPAIGN'],
      defenderGroups: ['LAWYER', 'WOMEN_DEFENDER'],
      countryOfActivity: 'CO',
      consentToTransfer: true,
      consentToRefugeSharing: true,
      content: {
        identity: { fullName: 'Adriana Milena Sotelo Berrío', birthDate: '1983-03-25', gender: 'female', nationality: 'Colombian', passportNumbers: ['AR9046621'] },
        narrative:
          'Land restitution lawyer for displaced peasant families. Faces a criminal complaint for "slander" filed by a landowner, and a smear campaign in regional media.',
      },
    },
    steps: [
      event('CONTACT', 120, 'Referred by a partner organisation.'),
      { status: 'ASSESSING' },
      { status: 'PROTECTION_ACTIVE' },
      event('MEASURE', 100, 'Trial observation by the embassy at the preliminary hearing.', { category: 'monitoring and advocacy' }),
      event('REVIEW', 30, 'Complaint dismissed at first instance; smear campaign faded. Monitoring only.', { riskLevel: 'MEDIUM' }),
      { status: 'MONITORING' },
    ],
  },
  {
    key: 'cucuta-journalist',
    embassy: 'bogota',
    author: 'first',
    reviewInDays: 30,
    input: {
      riskLevel: 'MEDIUM',
      threatTypes: ['DIGITAL_ATTACK', 'SURVEILLANCE', 'SMEAR_CAMPAIGN', 'ADMINISTRATIVE_MEASURES'],
      defenderGroups: ['JOURNALIST'],
      countryOfActivity: 'VE',
      consentToTransfer: false,
      consentToRefugeSharing: false,
      content: {
        identity: { fullName: 'Gabriel Eduardo Marcano Rivas', birthDate: '1988-08-14', gender: 'male', nationality: 'Venezuelan', passportNumbers: ['V137702944'] },
        narrative:
          'Exiled journalist reporting on Venezuela from the border. His passport renewal was refused at the consulate, his accounts are targeted by phishing, and state media call him a mercenary.',
      },
    },
    steps: [event('CONTACT', 8, 'First contact through a press-freedom organisation; assessment started.'), { status: 'ASSESSING' }],
  },
  {
    key: 'magdalena-union',
    embassy: 'bogota',
    author: 'second',
    reviewInDays: 10,
    input: {
      riskLevel: 'HIGH',
      threatTypes: ['DEATH_THREAT', 'SURVEILLANCE', 'LIVELIHOOD_OR_PROPERTY_ATTACK'],
      defenderGroups: ['TRADE_UNIONIST'],
      countryOfActivity: 'CO',
      consentToTransfer: false,
      consentToRefugeSharing: false,
      content: {
        identity: { fullName: 'Luis Alberto Pineda Rueda', birthDate: '1971-05-09', gender: 'male', nationality: 'Colombian' },
        narrative: 'Leads a palm oil workers’ union. Dismissed after a strike; a text message threatened him and his family if he keeps organising.',
      },
    },
    steps: [event('THREAT_INCIDENT', 2, 'Threatening text message naming his children.')],
  },
];

/** The case moved from Nairobi to Bogotá, shown at the end; and the one shredded. */
const TRANSFERRED = 'cauca-delegate';
const SHREDDED = 'juba-anticorruption';

// ---------------------------------------------------------------------------------
// The run

class PhaseClock {
  readonly phases: { name: string; ms: number }[] = [];
  private readonly started = performance.now();

  constructor(private readonly out: DemoOutput) {}

  async run<T>(name: string, work: () => Promise<T>, describe: (result: T) => string): Promise<T> {
    const start = performance.now();
    const result = await work();
    const ms = performance.now() - start;
    this.phases.push({ name, ms });
    this.out.write(`  ✓ ${name.padEnd(28)} ${seconds(ms).padStart(7)}  ${describe(result)}\n`);
    return result;
  }

  get totalMs(): number {
    return performance.now() - this.started;
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

function password(): string {
  return randomBytes(18).toString('base64url');
}

async function enrolPerson(client: EgideClient, name: string, email: string, code: string, out: DemoOutput): Promise<Person> {
  const secret = password();
  const account = await patiently(() => client.enrol(code, email, secret), out);
  return activate(client, name, email, secret, account, out);
}

/** Activates TOTP with a first code, then signs in with the next one, as the person would. */
async function activate(client: EgideClient, name: string, email: string, secret: string, account: NewAccount, out: DemoOutput): Promise<Person> {
  const authenticator = new Authenticator(base32Decode(account.totp.secret));
  await patiently(async () => account.confirmTotp(await authenticator.nextCode()), out);
  const session = await patiently(async () => client.login(email, secret, await authenticator.nextCode()), out);
  return { name, email, account, session };
}

interface CaseRecord {
  plan: CasePlan;
  id: string;
  reference: string;
  version: number;
  embassy: EmbassyKey;
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const { out } = options;
  const clock = new PhaseClock(out);
  const counts: DemoCounts = { embassies: 0, organisations: 0, users: 0, cases: 0, events: 0, transfers: 0, shreds: 0 };
  out.write('Egide demo: fictional defenders, real cryptography. Everything sealed is sealed on the client.\n\n');

  const server = await clock.run('server', () => startDemoServer(options), (started) => started.description);
  const sessions: EgideSession[] = [];
  // An interrupted demo must not leave an embedded PostgreSQL running or a database behind.
  const stop = (): void => void server.close();
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    if (options.signal?.aborted === true) throw new DemoError('interrupted');
    const client = new EgideClient(server.url);

    // The administrator: setup token, password, TOTP.
    const admin = await clock.run(
      'administrator',
      async () => {
        const secret = password();
        const email = 'admin@egide-demo.example';
        const account = await patiently(() => client.setup(server.setupToken, email, secret), out).catch((error: unknown) => {
          if (error instanceof EgideApiError && error.status === 403) {
            throw new DemoError(
              `${server.description} refused the setup token: it is not valid, or that server already has an administrator. The demo needs a server without one; unset EGIDE_URL and it starts its own.`,
            );
          }
          throw error;
        });
        const person = await activate(client, 'Programme administrator', email, secret, account, out);
        sessions.push(person.session);
        counts.users += 1;
        return person;
      },
      (person) => `${person.email}: MFA active, signed in`,
    );

    // Embassies and an organisation, then an invitation per contact, handed over "out of band".
    const directory = await clock.run(
      'embassies and organisation',
      async () => {
        const embassies = {} as Record<EmbassyKey, { id: string; name: string }>;
        for (const key of ['nairobi', 'bogota'] as const) {
          const plan = EMBASSY_PLAN[key];
          embassies[key] = await admin.session.admin.createEmbassy({ name: plan.name, country: plan.country, city: plan.city });
          counts.embassies += 1;
        }
        const organisation = await admin.session.admin.createOrganisation({ name: 'Lumen Defenders Fund', country: 'NL' });
        counts.organisations += 1;
        return { embassies, organisation };
      },
      ({ embassies, organisation }) => `${embassies.nairobi.name} (KE), ${embassies.bogota.name} (CO), ${organisation.name} (NL)`,
    );

    const contacts = await clock.run(
      'contacts: invite, enrol, MFA',
      async () => {
        const enrolled = {} as Record<EmbassyKey, Record<ContactKey, Person>>;
        for (const key of ['nairobi', 'bogota'] as const) {
          const people = {} as Record<ContactKey, Person>;
          for (const role of ['first', 'second'] as const) {
            const { name, email } = EMBASSY_PLAN[key].contacts[role];
            const invitation = await admin.session.admin.invite({ email, role: 'EMBASSY_CONTACT', embassyId: directory.embassies[key].id });
            people[role] = await enrolPerson(client, name, email, invitation.code, out);
            sessions.push(people[role].session);
            counts.users += 1;
          }
          enrolled[key] = people;
        }
        return enrolled;
      },
      (enrolled) =>
        (['nairobi', 'bogota'] as const).map((key) => `${enrolled[key].first.name} and ${enrolled[key].second.name} (${EMBASSY_PLAN[key].city})`).join(', '),
    );

    // Team keys: the first contact creates generation 1 and grants it to the second after
    // comparing the fingerprint the second contact's own client showed at enrolment.
    const embassies = await clock.run(
      'team keys: create and grant',
      async () => {
        const result = {} as Record<EmbassyKey, Embassy>;
        for (const key of ['nairobi', 'bogota'] as const) {
          const { first, second } = contacts[key];
          const { team } = await bootstrapTeam(first.session);
          const waiting = (await pendingMembers(first.session)).find((member) => member.userId === second.session.user.id);
          if (waiting === undefined) throw new Error(`${second.name} is not waiting for the team key`);
          await grantTo(first.session, waiting, second.account.user.fingerprint);
          result[key] = {
            id: directory.embassies[key].id,
            name: directory.embassies[key].name,
            contacts: contacts[key],
            teamFingerprint: teamKeysFingerprint(team),
            teamKeys: { first: await openMyTeamKeys(first.session), second: await openMyTeamKeys(second.session) },
          };
        }
        return result;
      },
      (result) => `Nairobi ${result.nairobi.teamFingerprint.slice(0, 11)}…, Bogotá ${result.bogota.teamFingerprint.slice(0, 11)}…`,
    );

    const actAs = (embassy: EmbassyKey, contact: ContactKey): { session: EgideSession; teamKeys: MyTeamKeys } => ({
      session: embassies[embassy].contacts[contact].session,
      teamKeys: embassies[embassy].teamKeys[contact],
    });

    // Cases and their timelines, each step by the contact who would take it.
    const records = await clock.run(
      'cases and timelines',
      async () => {
        const made = new Map<string, CaseRecord>();
        for (const plan of CASES) {
          const author = actAs(plan.embassy, plan.author);
          const created = await createCase(author.session, { ...plan.input, nextReviewAt: inDays(plan.reviewInDays) }, { teamKeys: author.teamKeys });
          counts.cases += 1;
          const record: CaseRecord = { plan, id: created.id, reference: created.reference, version: created.version, embassy: plan.embassy };
          for (const step of plan.steps) await applyStep(record, step, author, embassies, counts);
          made.set(plan.key, record);
        }
        return made;
      },
      (made) => `${made.size} cases, ${counts.events} timeline events so far`,
    );

    // The transfer: Nairobi seals the case key to Bogotá's team key, accepted only under the
    // fingerprint a Bogotá contact read out; Bogotá takes over and Nairobi loses access;
    // Bogotá's contacts pin Nairobi's authors after comparing their fingerprints.
    const transferred = requireRecord(records, TRANSFERRED);
    await clock.run(
      'transfer Nairobi → Bogotá',
      async () => {
        const sender = actAs('nairobi', 'first');
        const moved = await transferCase(
          sender.session,
          transferred.id,
          { targetEmbassyId: embassies.bogota.id, expectedTeamFingerprint: embassies.bogota.teamFingerprint, version: transferred.version },
          { teamKeys: sender.teamKeys },
        );
        counts.transfers += 1;
        counts.events += 1;
        const previous = transferred.reference;
        Object.assign(transferred, { reference: moved.reference, embassy: 'bogota', version: transferred.version + 1 });
        const senderView = await getCase(sender.session, transferred.id, { teamKeys: sender.teamKeys }).then(
          () => 'still readable (unexpected)',
          (error: unknown) => (error instanceof EgideApiError && error.status === 404 ? 'Nairobi now gets 404' : `Nairobi: ${String(error)}`),
        );
        // Nothing in Bogotá vouches for Nairobi's contacts, who wrote the case: each Bogotá
        // contact compares their fingerprints out of band (here: what their clients showed).
        for (const reading of ['first', 'second'] as const) {
          for (const writer of ['first', 'second'] as const) {
            const person = embassies.nairobi.contacts[writer];
            await verifyMember(embassies.bogota.contacts[reading].session, person.account.user.id, person.account.user.fingerprint);
          }
        }
        const receiver = actAs('bogota', 'first');
        transferred.version = (await reindexCase(receiver.session, transferred.id, { teamKeys: receiver.teamKeys })).version;
        const candidates = await findDuplicates(receiver.session, { name: 'rosa elena QUINTERO ipia' }, { teamKeys: receiver.teamKeys });
        await applyStep(
          transferred,
          event('CONTACT', 0, 'Met on arrival at the airport with the partner organisation; safe transport to Popayán arranged.'),
          receiver,
          embassies,
          counts,
        );
        await applyStep(
          transferred,
          event('MEASURE', 0, 'Collective protection measures for the indigenous guard requested from the national protection unit; embassy to follow up.', {
            category: 'legal support',
          }),
          receiver,
          embassies,
          counts,
        );
        await applyStep(transferred, { update: { nextReviewAt: inDays(10) } }, receiver, embassies, counts);
        await applyStep(transferred, { assign: 'second' }, receiver, embassies, counts);
        return { previous, moved: moved.reference, senderView, candidates: candidates.length };
      },
      (result) => `${result.previous} → ${result.moved} with recorded consent; ${result.senderView}; Bogotá's duplicate search finds it (${plural(result.candidates, 'candidate', 'candidates')})`,
    );

    // The shred: at the defender's request, every key of the case is destroyed.
    const shredded = requireRecord(records, SHREDDED);
    await clock.run(
      'emergency shred',
      async () => {
        const contact = actAs('nairobi', 'second');
        await applyStep(
          shredded,
          event('REVIEW', 0, 'At his request and given the seized phone, the file is shredded; contact continues only in person.'),
          contact,
          embassies,
          counts,
        );
        await shredCase(contact.session, shredded.id, shredded.reference);
        counts.shreds += 1;
        try {
          await getCase(contact.session, shredded.id, { teamKeys: contact.teamKeys });
          return 'still readable (unexpected)';
        } catch (error) {
          if (error instanceof CaseShreddedError) return `${shredded.reference}: nobody can open it any more`;
          throw error;
        }
      },
      (text) => text,
    );

    // The one case shown: as Bogotá's second contact opens it, verified and decrypted here.
    const reader = actAs('bogota', 'second');
    const shown = await clock.run(
      'open the transferred case',
      async () => {
        const opened = await getCase(reader.session, transferred.id, { teamKeys: reader.teamKeys });
        const events: OpenedCaseEvent[] = [];
        let cursor: string | undefined;
        do {
          const page = await listCaseEvents(reader.session, transferred.id, { limit: 200, cursor }, { teamKeys: reader.teamKeys });
          events.push(...page.items);
          cursor = page.nextCursor ?? undefined;
        } while (cursor !== undefined);
        return { opened, events };
      },
      ({ opened, events }) => `${opened.reference}: signature verified, ${events.length} events opened`,
    );

    const names = new Map<string, string>();
    names.set(admin.session.user.id, admin.name);
    for (const key of ['nairobi', 'bogota'] as const) {
      for (const person of Object.values(embassies[key].contacts)) names.set(person.session.user.id, `${person.name} (${EMBASSY_PLAN[key].city})`);
    }
    const view = { nameOf: (userId: string) => names.get(userId) };
    const rule = '─'.repeat(88);
    out.write(`\n${rule}\nWhat ${embassies.bogota.contacts.second.name} (${embassies.bogota.name}) reads after verification and decryption:\n${rule}\n`);
    out.write(`${renderOpenedCase(shown.opened, view)}\n\n${renderTimeline(shown.events, view)}\n${rule}\n\n`);

    const totalMs = clock.totalMs;
    const summary = [
      plural(counts.embassies, 'embassy', 'embassies'),
      plural(counts.organisations, 'organisation', 'organisations'),
      plural(counts.users, 'user', 'users'),
      plural(counts.cases, 'case', 'cases'),
      plural(counts.events, 'event', 'events'),
      plural(counts.transfers, 'transfer', 'transfers'),
      plural(counts.shreds, 'shred', 'shreds'),
    ];
    out.write(`Summary: ${summary.join(', ')}; total ${seconds(totalMs)}\n`);
    return { counts, shownCase: shown.opened, shownEvents: shown.events, phases: clock.phases, totalMs };
  } finally {
    options.signal?.removeEventListener('abort', stop);
    for (const session of sessions) session.lock();
    await server.close();
  }
}

function requireRecord(records: Map<string, CaseRecord>, key: string): CaseRecord {
  const record = records.get(key);
  if (record === undefined) throw new Error(`no case ${key} in the plan`);
  return record;
}

/** One step of a case's story, by `actor`; keeps the case version the next step builds on. */
async function applyStep(
  record: CaseRecord,
  step: Step,
  actor: { session: EgideSession; teamKeys: MyTeamKeys },
  embassies: Record<EmbassyKey, Embassy>,
  counts: DemoCounts,
): Promise<void> {
  if ('event' in step) {
    const body: { [key: string]: JsonValue } = { occurredOn: daysAgo(step.daysAgo), summary: step.summary, ...step.details };
    await addCaseEvent(actor.session, record.id, { type: step.event, body }, { teamKeys: actor.teamKeys });
    counts.events += 1;
  } else if ('status' in step) {
    record.version = (await setCaseStatus(actor.session, record.id, step.status, record.version)).version;
    // The server records every transition as a STATUS_CHANGE event.
    counts.events += 1;
  } else if ('assign' in step) {
    const assignee = embassies[record.embassy].contacts[step.assign].session.user.id;
    record.version = (await assignCase(actor.session, record.id, assignee, record.version)).version;
  } else {
    record.version = (await updateCase(actor.session, record.id, { ...step.update, version: record.version }, { teamKeys: actor.teamKeys })).version;
  }
}

/** What went wrong, for the person at the terminal: a stack only for what nobody foresaw. */
function describeFailure(error: unknown): string {
  if (error instanceof DemoError) return error.message;
  if (error instanceof EgideApiError) return `${error.message}${error.problem.requestId === undefined ? '' : ` (request id ${error.problem.requestId})`}`;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

async function main(): Promise<void> {
  const env = process.env;
  const given = (value: string | undefined): string | undefined => (value === undefined || value.trim() === '' ? undefined : value.trim());
  const interruption = new AbortController();
  const interrupt = (): void => {
    process.stderr.write('\ninterrupted: stopping the demo server and removing its data…\n');
    interruption.abort();
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    await runDemo({
      url: given(env.EGIDE_URL),
      setupToken: given(env.EGIDE_SETUP_TOKEN),
      databaseUrl: given(env.DATABASE_URL),
      out: process.stdout,
      signal: interruption.signal,
    });
  } catch (error) {
    if (interruption.signal.aborted) {
      process.exitCode = 130;
      return;
    }
    // The SDK's and the server's messages name what failed, never a secret.
    process.stderr.write(`demo failed: ${describeFailure(error)}\n`);
    process.exitCode = 1;
  } finally {
    process.removeListener('SIGINT', interrupt);
    process.removeListener('SIGTERM', interrupt);
  }
}

if (require.main === module) void main();
