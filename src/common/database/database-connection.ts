/**
 * Which PostgreSQL the server uses: DATABASE_URL when set, otherwise the embedded one
 * under DATA_DIR/pg. The rest of the server only ever sees a URL; this module owns
 * starting and stopping the embedded cluster and saying, without a password, which
 * database is in use.
 */
import { join } from 'node:path';
import type { AppConfig } from '../config/environment';
import { EmbeddedPostgres, type EmbeddedPostgresLog } from './embedded-postgres';

export const EMBEDDED_DATABASE_NAME = 'egide';

export interface DatabaseHandle {
  readonly url: string;
  /** For people: the embedded path, or user@host:port/db of an external server. */
  readonly description: string;
  readonly embedded: boolean;
  /** Stops the embedded cluster; nothing for an external server. */
  close(): Promise<void>;
}

export async function openDatabase(config: AppConfig, log: EmbeddedPostgresLog): Promise<DatabaseHandle> {
  if (config.databaseUrl !== undefined) {
    return {
      url: config.databaseUrl,
      description: describeDatabaseUrl(config.databaseUrl),
      embedded: false,
      close: () => Promise.resolve(),
    };
  }
  const dataDir = join(config.dataDir, 'pg');
  const server = await EmbeddedPostgres.start({ dataDir, secretsDir: config.dataDir, log });
  await server.ensureDatabase(EMBEDDED_DATABASE_NAME);
  return {
    url: server.urlFor(EMBEDDED_DATABASE_NAME),
    description: `embedded PostgreSQL in ${dataDir}${server.clusterDir !== dataDir ? ` (-> ${server.clusterDir})` : ''}, 127.0.0.1:${server.port}/${EMBEDDED_DATABASE_NAME}`,
    embedded: true,
    close: () => server.stop(),
  };
}

/** user@host:port/database — never the password. */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const user = parsed.username !== '' ? `${decodeURIComponent(parsed.username)}@` : '';
    return `PostgreSQL ${user}${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return 'PostgreSQL (unparseable URL)';
  }
}
