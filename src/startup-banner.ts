/**
 * What `npm start` tells the operator, in a few plain lines after the start-up log:
 * where the API and its docs are, which database is in use (never its password), and,
 * while a setup token is pending, what to do with it and the token itself, last and on
 * a line of its own so that it is found and copied without hunting. With
 * `--rearm-setup`, it says what the re-arming did.
 *
 * The banner goes to stdout, apart from the structured log, which never carries the token.
 */
import { join } from 'node:path';
import { SETUP_TOKEN_FILE } from './setup/setup-token.service';
import type { EgideServer } from './server';

type BannerSource = Pick<EgideServer, 'url' | 'docsUrl' | 'database' | 'setupToken' | 'setupRearm' | 'config'>;

function administratorsExist(count: number): string {
  return count === 1 ? '1 administrator account exists' : `${count} administrator accounts exist`;
}

/** Why a token is shown, what it is for, and how to use it. */
function setupParagraph(server: BannerSource): string[] {
  const rearm = server.setupRearm;
  let why: string[];
  if (rearm === undefined) {
    why = ['No administrator exists yet. Create the first one with'];
  } else if (rearm.administrators === 0) {
    why = [
      '--rearm-setup: no administrator exists yet; a new one-time setup token replaces the earlier one,',
      'which no longer works (audited as setup.rearmed). Create the first administrator with',
    ];
  } else {
    why = [
      `--rearm-setup: issued a new one-time setup token although ${administratorsExist(rearm.administrators)} (${rearm.activeAdministrators} active);`,
      'any earlier setup token no longer works (audited as setup.rearmed). Create one more administrator,',
      'who can then disable or re-enrol a lost one (docs/identity.md), with',
    ];
  }
  return [
    ...why,
    `  egide setup --server ${server.url} --email <address>      (docs/cli.md)`,
    `and this one-time setup token, also kept in ${join(server.config.dataDir, SETUP_TOKEN_FILE)} (mode 0600):`,
  ];
}

export function startupBanner(server: BannerSource): string[] {
  const lines = [
    '',
    `Egide listening on ${server.url}/api/v1`,
    `API docs: ${server.docsUrl ?? 'disabled (set API_DOCS=true to enable)'}`,
    `Database: ${server.database.description}`,
    'Stop with Ctrl-C or SIGTERM.',
  ];
  if (server.setupToken !== undefined) lines.push('', ...setupParagraph(server), '', `    ${server.setupToken}`, '');
  return lines;
}
