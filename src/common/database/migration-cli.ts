/**
 * `npm run migration:<command>`: generate, check, run, revert, show. The entry point is
 * src/migration-cli.ts, which passes the application's entities in (common/ imports no
 * feature).
 *
 * - generate <Name> / check: compare the entities with a scratch database migrated from
 *   `migrations/` (never with live data). `generate` writes
 *   `migrations/<timestamp>-<Name>.ts` and refreshes `migrations/index.ts`; `check`
 *   exits 1 when they drift (CI runs it).
 * - run / revert / show: on the configured database (DATABASE_URL, or the embedded
 *   one under DATA_DIR/pg).
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { loadConfig, projectRoot } from '../config/environment';
import { openDatabase } from './database-connection';
import type { EmbeddedPostgresLog } from './embedded-postgres';
import { schemaDiff } from './schema-drift';
import { withScratchDatabase } from './scratch-database';
import { typeOrmOptions, type EntityList } from './typeorm-options';

const say = (line: string): void => void process.stdout.write(line + '\n');
const quietLog: EmbeddedPostgresLog = { info: say, warn: say, debug: () => undefined };

/** Runs one command; resolves to the process's exit code. */
export async function runMigrationCli(command: string | undefined, name: string | undefined, entities: EntityList): Promise<number> {
  const config = loadConfig();
  switch (command) {
    case 'check': {
      const diff = await withScratchDatabase(config.databaseUrl, entities, quietLog, schemaDiff);
      if (diff.up.length === 0) {
        say('Entities and migrations agree.');
        return 0;
      }
      say('Entities and migrations drift; a migration is missing for:');
      diff.up.forEach((query) => say(`  ${query}`));
      return 1;
    }
    case 'generate': {
      if (name === undefined || !/^[A-Z][A-Za-z0-9]+$/.test(name)) {
        say('usage: npm run migration:generate -- <PascalCaseName>');
        return 2;
      }
      const diff = await withScratchDatabase(config.databaseUrl, entities, quietLog, schemaDiff);
      if (diff.up.length === 0) {
        say('No schema change to write.');
        return 1;
      }
      const file = writeMigration(name, diff.up, diff.down);
      say(`Wrote ${file}; review it before committing.`);
      return 0;
    }
    case 'run':
    case 'revert':
    case 'show':
      return withConfiguredDatabase(config, entities, command);
    default:
      say('usage: migration-cli generate <Name> | check | run | revert | show');
      return 2;
  }
}

async function withConfiguredDatabase(config: ReturnType<typeof loadConfig>, entities: EntityList, command: 'run' | 'revert' | 'show'): Promise<number> {
  const database = await openDatabase(config, quietLog);
  const dataSource = new DataSource(typeOrmOptions(database.url, entities, 2));
  try {
    await dataSource.initialize();
    if (command === 'run') {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      say(applied.length === 0 ? 'No pending migration.' : applied.map((m) => `applied ${m.name}`).join('\n'));
    } else if (command === 'revert') {
      await dataSource.undoLastMigration({ transaction: 'each' });
      say('Reverted the last migration.');
    } else {
      const executed = new Set(
        ((await dataSource.query('SELECT name FROM migrations')) as { name: string }[]).map((row) => row.name),
      );
      for (const migration of dataSource.migrations) {
        say(`${executed.has(migration.name ?? '') ? '[X]' : '[ ]'} ${migration.name ?? migration.constructor.name}`);
      }
    }
    return 0;
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await database.close();
  }
}

function writeMigration(name: string, up: string[], down: string[]): string {
  const timestamp = Date.now();
  const className = `${name}${timestamp}`;
  const dir = join(projectRoot(), 'migrations');
  const file = join(dir, `${timestamp}-${name}.ts`);
  const line = (query: string): string => `    await queryRunner.query(\`${query.replace(/[`\\]/g, '\\$&').replace(/\$\{/g, '\\${')}\`);`;
  writeFileSync(
    file,
    `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  public async up(queryRunner: QueryRunner): Promise<void> {
${up.map(line).join('\n')}
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
${[...down].reverse().map(line).join('\n')}
  }
}
`,
  );
  writeMigrationIndex(dir);
  return file;
}

/** migrations/index.ts lists every migration class in timestamp order. */
function writeMigrationIndex(dir: string): void {
  const files = readdirSync(dir)
    .filter((f) => /^\d+-[A-Za-z0-9]+\.ts$/.test(f))
    .sort();
  const entries = files.map((f) => {
    const [timestamp, name] = f.replace(/\.ts$/, '').split('-');
    return { module: `./${f.replace(/\.ts$/, '')}`, className: `${name}${timestamp}` };
  });
  writeFileSync(
    join(dir, 'index.ts'),
    `/**
 * Every migration, in order. Written by \`npm run migration:generate\`; imported as
 * classes because a glob built from __dirname finds nothing under jest.
 */
${entries.map((e) => `import { ${e.className} } from '${e.module}';`).join('\n')}

export const MIGRATIONS = [${entries.map((e) => e.className).join(', ')}];
`,
  );
}
