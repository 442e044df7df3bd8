/**
 * `npm start`: start Egide, print the banner, and shut down gracefully on SIGINT or
 * SIGTERM — the HTTP server first, the embedded PostgreSQL last — then exit 0.
 *
 * `npm start` execs this process in place of its shell (package.json), so the signal npm
 * forwards reaches it. A Ctrl-C reaches npm and this process together, and npm forwards
 * it once more: repeated signals are ignored rather than cutting a shutdown short and
 * orphaning PostgreSQL. A signal that arrives while starting stops the server as soon
 * as it has started. The banner goes to stdout as plain lines for the operator; the
 * structured log never carries the setup token.
 */
import 'reflect-metadata';
import { ConfigValidationError } from './common/config/environment';
import { startupBanner } from './startup-banner';
import { startEgide, type EgideServer } from './server';

class UsageError extends Error {}

/** `--rearm-setup`: print a new setup token although an administrator exists (docs/identity.md). */
const REARM_SETUP_FLAG = '--rearm-setup';

async function main(argv: string[]): Promise<void> {
  const unknown = argv.filter((argument) => argument !== REARM_SETUP_FLAG);
  if (unknown.length > 0) throw new UsageError(`unknown argument(s): ${unknown.join(' ')} (accepted: ${REARM_SETUP_FLAG})`);

  // What the signal handler needs to know: the server once started, the first signal once received.
  const state: { server?: EgideServer; signal?: NodeJS.Signals } = {};
  const onSignal = (signal: NodeJS.Signals): void => {
    if (state.signal !== undefined) {
      state.server?.logger.info({ signal }, 'already shutting down');
      return;
    }
    state.signal = signal;
    if (state.server !== undefined) stop(state.server, signal);
  };
  // Listening for good (not once): after a first signal, the next must not kill the process.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const server = await startEgide({ rearmSetup: argv.includes(REARM_SETUP_FLAG) });
  state.server = server;
  if (state.signal !== undefined) {
    stop(server, state.signal);
    return;
  }
  process.stdout.write(startupBanner(server).join('\n') + '\n');
}

function stop(server: EgideServer, signal: NodeJS.Signals): void {
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
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigValidationError || error instanceof UsageError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`Egide failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
