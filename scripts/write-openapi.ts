/**
 * Writes the OpenAPI document the server serves at /api/docs-json to a file, for
 * `npm run lint:api` (spectral with the OWASP ruleset) and for anyone building a
 * client. It starts the real server on a scratch database and fetches the document over
 * HTTP, so what is linted is exactly what is served. The database is created on the
 * PostgreSQL of DATABASE_URL or TEST_DATABASE_URL (CI has one), or on a temporary
 * embedded cluster, and dropped afterwards; nothing of anyone's data is touched. It fails
 * when the document could not be derived from the server's rules (buildOpenApiDocument's gaps).
 *
 * Run: npm run build && node dist/scripts/write-openapi.js [output path, default dist/openapi.json]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import 'reflect-metadata';
import { APP_ENTITIES } from '../src/app-entities';
import { withScratchDatabase } from '../src/common/database/scratch-database';
import { buildOpenApiDocument } from '../src/common/http/openapi';
import { DOCS_PATH } from '../src/common/http/security-headers';
import { startEgide } from '../src/server';

async function main(outputPath: string): Promise<void> {
  const serverUrl = nonEmpty(process.env.DATABASE_URL) ?? nonEmpty(process.env.TEST_DATABASE_URL);
  const quiet = (): undefined => undefined;
  const document = await withScratchDatabase(serverUrl, APP_ENTITIES, { info: quiet, warn: quiet, debug: quiet }, async (dataSource) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'egide-openapi-'));
    const server = await startEgide({
      env: {
        NODE_ENV: 'development',
        API_DOCS: 'true',
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'warn',
        DATA_DIR: dataDir,
        DATABASE_URL: (dataSource.options as { url: string }).url,
        // A throw-away secret: the server must not write one into a real DATA_DIR.
        SERVER_SECRET: randomBytes(32).toString('base64url'),
      },
    });
    try {
      // What the document could not derive from the server's own rules fails the run.
      const { gaps } = buildOpenApiDocument(server.app);
      if (gaps.length > 0) throw new Error(`the document does not match the server:\n  ${gaps.join('\n  ')}`);
      const response = await fetch(`${server.url}${DOCS_PATH}-json`);
      if (response.status !== 200) throw new Error(`${DOCS_PATH}-json answered ${response.status}`);
      return (await response.json()) as unknown;
    } finally {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
  mkdirSync(dirname(outputPath), { recursive: true });
  writeFileSync(outputPath, JSON.stringify(document, null, 2) + '\n');
  process.stdout.write(`OpenAPI document written to ${outputPath}\n`);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

main(resolve(process.argv[2] ?? join('dist', 'openapi.json'))).catch((error: unknown) => {
  process.stderr.write(`could not write the OpenAPI document: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
