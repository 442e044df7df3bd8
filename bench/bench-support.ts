/**
 * What the benchmarks share: a database of their own on the server DATABASE_URL names
 * (dropped at the end), and signing a member in through the SDK with TOTP as a person
 * would. Not a test helper: benchmarks measure, they assert nothing.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { base32Decode, totpCode, totpStep } from '../src/auth/totp';
import type { EgideClient } from '../src/client/egide-client';
import type { EgideSession } from '../src/client/egide-session';

/** The password every benchmark account uses (long enough for the SDK's policy). */
export const BENCH_PASSWORD = 'benchmark password, long enough';

export interface BenchDatabase {
  env: NodeJS.ProcessEnv;
  drop(): Promise<void>;
}

/** DATABASE_URL names a server: the run gets a database of its own there, dropped at the end; unset, the embedded default. */
export async function freshDatabase(prefix: string): Promise<BenchDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl === undefined || serverUrl === '') return { env: {}, drop: () => Promise.resolve() };
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString() },
    drop: async () => {
      const client = new Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** TOTP activated with the current step, login with the next: a code is never accepted twice. */
export async function activateAndLogin(client: EgideClient, email: string, account: Awaited<ReturnType<EgideClient['enrol']>>): Promise<EgideSession> {
  const secret = base32Decode(account.totp.secret);
  const step = totpStep(Math.floor(Date.now() / 1000));
  await account.confirmTotp(totpCode(secret, step));
  return client.login(email, BENCH_PASSWORD, totpCode(secret, step + 1));
}
