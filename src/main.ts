/**
 * `npm start`: start Egide, print where it listens, and shut down gracefully on
 * SIGINT/SIGTERM. The banner goes to stdout as plain lines for the operator; the
 * structured log never carries the setup token.
 */
import 'reflect-metadata';
import { ConfigValidationError } from './common/config/environment';
import { startupBanner } from './startup-banner';
import { startEgide } from './server';

class UsageError extends Error {}

/** `--rearm-setup`: print a new setup token although an administrator exists (docs/identity.md). */
const REARM_SETUP_FLAG = '--rearm-setup';

async function main(argv: string[]): Promise<void> {
  const unknown = argv.filter((argument) => argument !== REARM_SETUP_FLAG);
  if (unknown.length > 0) throw new UsageError(`unknown argument(s): ${unknown.join(' ')} (accepted: ${REARM_SETUP_FLAG})`);
  const server = await startEgide({ rearmSetup: argv.includes(REARM_SETUP_FLAG) });
  process.stdout.write(startupBanner(server).join('\n') + '\n');

  let signalled = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (signalled) return;
    signalled = true;
    server.logger.info({ signal }, 'shutting down');
    server.close().then(
      () => {
        server.logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        server.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}


main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigValidationError || error instanceof UsageError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`Egide failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
