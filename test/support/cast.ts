/**
 * The standard cast of the e2e tests, enrolled once per run into the template database
 * by the global setup (Argon2id is slow by design), then present in every clone:
 *
 *   admin, auditor                        system scope
 *   contactA1, contactA2                  EMBASSY_CONTACT of embassy A (Nairobi, KE)
 *   contactB1, contactB2                  EMBASSY_CONTACT of embassy B (Bogotá, CO)
 *   ngoX1 / ngoY1                         NGO of organisation X / Y
 *   coordinator1, coordinator2            COORDINATOR of the refuge network
 *
 * `startCastApp()` starts the real server on such a clone with a movable clock;
 * `login(key)` signs a member in through the SDK (prelogin → Argon2id → login → unlock)
 * with a fresh TOTP code.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Type } from '@nestjs/common';
import { Client } from 'pg';
import { base32Decode, totpCode, totpStep } from '../../src/auth/totp';
import type { Role } from '../../src/contract/roles';
import { EgideClient } from '../../src/client/egide-client';
import type { EgideSession } from '../../src/client/egide-session';
import { startEgide } from '../../src/server';
import { makeTempDir, startTestApp, TEST_SERVER_SECRET, testEnv, type TestApp } from './test-app';
import { TestClock } from './test-clock';

export const CAST_ENV = 'EGIDE_TEST_CAST';

export type CastKey =
  | 'admin'
  | 'auditor'
  | 'contactA1'
  | 'contactA2'
  | 'contactB1'
  | 'contactB2'
  | 'ngoX1'
  | 'ngoY1'
  | 'coordinator1'
  | 'coordinator2';

export interface CastMember {
  key: CastKey;
  userId: string;
  email: string;
  password: string;
  role: Role;
  /** The embassy or organisation id, the network's id, or null (system). */
  scopeId: string | null;
  /** Raw TOTP secret, hex. */
  totpSecretHex: string;
  recoveryKey: string;
  fingerprint: string;
}

export interface Cast {
  ids: { embassyA: string; embassyB: string; orgX: string; orgY: string };
  members: Record<CastKey, CastMember>;
}

interface MemberPlan {
  key: CastKey;
  role: Role;
  scope: 'embassyA' | 'embassyB' | 'orgX' | 'orgY' | null;
}

const PLAN: MemberPlan[] = [
  { key: 'auditor', role: 'AUDITOR', scope: null },
  { key: 'contactA1', role: 'EMBASSY_CONTACT', scope: 'embassyA' },
  { key: 'contactA2', role: 'EMBASSY_CONTACT', scope: 'embassyA' },
  { key: 'contactB1', role: 'EMBASSY_CONTACT', scope: 'embassyB' },
  { key: 'contactB2', role: 'EMBASSY_CONTACT', scope: 'embassyB' },
  { key: 'ngoX1', role: 'NGO', scope: 'orgX' },
  { key: 'ngoY1', role: 'NGO', scope: 'orgY' },
  { key: 'coordinator1', role: 'COORDINATOR', scope: null },
  { key: 'coordinator2', role: 'COORDINATOR', scope: null },
];

export function castPassword(key: CastKey): string {
  return `correct horse battery staple ${key}`;
}

export function castEmail(key: CastKey): string {
  return `${key.toLowerCase()}@cast.egide.test`;
}

/** The current TOTP code of a member at a given server time. */
export function castTotp(member: CastMember, atSeconds: number): string {
  return totpCode(Buffer.from(member.totpSecretHex, 'hex'), totpStep(atSeconds));
}

/**
 * Enrols the cast into the database at `databaseUrl` (the template), through the real
 * server and SDK. Embassies, organisations and invitations are written in SQL: their
 * own routes have their own tests, and the cast must not depend on them.
 */
export async function enrolCast(databaseUrl: string): Promise<Cast> {
  const dataDir = makeTempDir('egide-cast-');
  const server = await startEgide({ env: testEnv({ DATABASE_URL: databaseUrl, DATA_DIR: dataDir, LOG_LEVEL: 'silent', SERVER_SECRET: TEST_SERVER_SECRET }) });
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const client = new EgideClient(server.url);
    const members: Partial<Record<CastKey, CastMember>> = {};
    const nowSeconds = (): number => Math.floor(Date.now() / 1000);
    const record = (key: CastKey, role: Role, scopeId: string | null, account: Awaited<ReturnType<EgideClient['enrol']>>): CastMember => {
      const member: CastMember = {
        key,
        userId: account.user.id,
        email: castEmail(key),
        password: castPassword(key),
        role,
        scopeId: account.user.scope.id,
        totpSecretHex: base32Decode(account.totp.secret).toString('hex'),
        recoveryKey: account.recoveryKey,
        fingerprint: account.user.fingerprint,
      };
      members[key] = member;
      return member;
    };

    if (server.setupToken === undefined) throw new Error('the template already has an administrator');
    const admin = await client.setup(server.setupToken, castEmail('admin'), castPassword('admin'));
    const adminMember = record('admin', 'ADMIN', null, admin);
    await admin.confirmTotp(castTotp(adminMember, nowSeconds()));

    const insert = async (sql: string, params: unknown[]): Promise<string> =>
      ((await db.query(sql, params)).rows as { id: string }[])[0].id;
    const ids = {
      embassyA: await insert(`INSERT INTO embassies (name, country, city) VALUES ('Embassy A', 'KE', 'Nairobi') RETURNING id`, []),
      embassyB: await insert(`INSERT INTO embassies (name, country, city) VALUES ('Embassy B', 'CO', 'Bogotá') RETURNING id`, []),
      orgX: await insert(`INSERT INTO organisations (name, country) VALUES ('Organisation X', 'CH') RETURNING id`, []),
      orgY: await insert(`INSERT INTO organisations (name, country) VALUES ('Organisation Y', 'KE') RETURNING id`, []),
    };

    for (const plan of PLAN) {
      const code = randomBytes(32).toString('base64url');
      const scopeId = plan.scope === null ? null : ids[plan.scope];
      await db.query(
        `INSERT INTO invitations (code_hash, email, role, embassy_id, organisation_id, created_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, now() + interval '1 day')`,
        [
          createHash('sha256').update(code).digest(),
          castEmail(plan.key),
          plan.role,
          plan.role === 'EMBASSY_CONTACT' ? scopeId : null,
          plan.role === 'NGO' ? scopeId : null,
          adminMember.userId,
        ],
      );
      const account = await client.enrol(code, castEmail(plan.key), castPassword(plan.key));
      const member = record(plan.key, plan.role, scopeId, account);
      await account.confirmTotp(castTotp(member, nowSeconds()));
    }
    return { ids, members: members as Record<CastKey, CastMember> };
  } finally {
    await db.end();
    await server.close();
    const { rmSync } = await import('node:fs');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function loadCast(): Cast {
  const text = process.env[CAST_ENV];
  if (text === undefined) throw new Error(`${CAST_ENV} is not set: run e2e tests through jest's e2e project`);
  return JSON.parse(text) as Cast;
}

export interface CastApp extends TestApp {
  readonly cast: Cast;
  readonly clock: TestClock;
  /** An SDK client for this server (no session). */
  readonly client: EgideClient;
  /** A fresh TOTP code for the member: the clock moves one step first, so no code is reused. */
  freshTotp(key: CastKey): string;
  /** Signs the member in through the SDK. */
  login(key: CastKey): Promise<EgideSession>;
}

export async function startCastApp(options: { env?: Record<string, string>; additionalModules?: Type[] } = {}): Promise<CastApp> {
  const cast = loadCast();
  const clock = new TestClock();
  const app = await startTestApp({ ...options, clock });
  const client = new EgideClient(app.url);
  const freshTotp = (key: CastKey): string => {
    clock.advance(30_000);
    return castTotp(cast.members[key], clock.nowSeconds());
  };
  return {
    ...app,
    cast,
    clock,
    client,
    freshTotp,
    login: (key) => client.login(cast.members[key].email, cast.members[key].password, freshTotp(key)),
  };
}
