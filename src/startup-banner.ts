/**
 * What `npm start` tells the operator: where the API and its docs are, which database
 * is in use (never its password), and, while no administrator exists, the one-time
 * setup token and where it is kept.
 */
import { join } from 'node:path';
import { SETUP_TOKEN_FILE } from './setup/setup-token.service';
import type { EgideServer } from './server';

export function startupBanner(server: Pick<EgideServer, 'url' | 'docsUrl' | 'database' | 'setupToken' | 'config'>): string[] {
  const lines = [
    `Egide listening on ${server.url}/api/v1`,
    `API docs: ${server.docsUrl ?? 'disabled (set API_DOCS=true to enable)'}`,
    `Database: ${server.database.description}`,
  ];
  if (server.setupToken !== undefined) {
    lines.push(
      'No administrator exists yet. One-time setup token (create the first administrator with it):',
      `  ${server.setupToken}`,
      `  (also in ${join(server.config.dataDir, SETUP_TOKEN_FILE)}, mode 0600)`,
    );
  }
  return lines;
}
