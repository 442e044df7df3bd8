/**
 * The server as a process of its own, for the tests that kill it: the real startEgide
 * with the environment it was given, and a clock EGIDE_TEST_CLOCK_OFFSET_MS ahead of
 * real time (so that, as with TestClock, the TOTP steps the cast used at enrolment are in
 * the past). Prints one JSON line `{"url": …}` once it listens; SIGTERM and SIGINT stop
 * it gracefully. Run through ./register-typescript.js (see server-process-harness.ts).
 */
import 'reflect-metadata';
import { Clock } from '../../../src/common/clock';
import { startEgide } from '../../../src/server';

class OffsetClock extends Clock {
  constructor(private readonly offsetMs: number) {
    super();
  }

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

async function run(): Promise<void> {
  const server = await startEgide({ clock: new OffsetClock(Number(process.env.EGIDE_TEST_CLOCK_OFFSET_MS ?? '0')) });
  const stop = (): void => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdout.write(JSON.stringify({ url: server.url }) + '\n');
}

run().catch((error: unknown) => {
  process.stderr.write(`server process failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
