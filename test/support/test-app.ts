/**
 * Starts the real server (startEgide → AppModule on Fastify) on a cloned database and a
 * temporary DATA_DIR, listening on a free port, with its log captured so tests can
 * assert on it (and on what it must never contain).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Type } from '@nestjs/common';
import type { Clock } from '../../src/common/clock';
import { projectRoot, readEnvFile } from '../../src/common/config/environment';
import { startEgide, type EgideServer } from '../../src/server';
import { cloneTestDatabase, type TestDatabase } from './test-database';

export class CapturedLog extends Writable {
  private readonly chunks: string[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.chunks.push(chunk.toString('utf8'));
    done();
  }

  text(): string {
    return this.chunks.join('');
  }

  /** Each JSON line, parsed. */
  entries(): Record<string, unknown>[] {
    return this.text()
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

export interface TestApp {
  readonly server: EgideServer;
  readonly url: string;
  readonly database: TestDatabase;
  readonly dataDir: string;
  readonly log: CapturedLog;
  /** fetch relative to the server's URL. */
  request(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o711);
  return dir;
}

/**
 * Apps on clones of the template share the server secret the cast was enrolled under
 * (TOTP secrets are encrypted at rest under a key derived from it). Tests only.
 */
export const TEST_SERVER_SECRET = Buffer.alloc(32, 7).toString('base64url');

export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return { ...readEnvFile(join(projectRoot(), 'config', 'test.env')), LOG_LEVEL: 'info', ...overrides };
}

export async function startTestApp(
  options: { env?: Record<string, string>; additionalModules?: Type[]; clock?: Clock } = {},
): Promise<TestApp> {
  const database = await cloneTestDatabase();
  const dataDir = makeTempDir('egide-test-data-');
  const log = new CapturedLog();
  try {
    const server = await startEgide({
      env: testEnv({ DATABASE_URL: database.url, DATA_DIR: dataDir, SERVER_SECRET: TEST_SERVER_SECRET, ...options.env }),
      logDestination: log,
      additionalModules: options.additionalModules,
      clock: options.clock,
    });
    return {
      server,
      url: server.url,
      database,
      dataDir,
      log,
      request: (path, init) => fetch(server.url + path, init),
      close: async () => {
        await server.close();
        await database.drop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
