/**
 * The entry point of `npm run migration:<command>` (generate, check, run, revert, show):
 * the migration commands of common/database/migration-cli.ts with the application's
 * entities, which common/ may not import itself.
 */
import { APP_ENTITIES } from './app-entities';
import { runMigrationCli } from './common/database/migration-cli';

runMigrationCli(process.argv[2], process.argv[3], APP_ENTITIES).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
