import { parseArgs } from 'node:util';
import { createDb, databaseSettings, migrateToLatest, MigrationError } from '@store-monitoring/db';
import { redactUrl } from '@store-monitoring/logging';
import { loadCliConfig } from '../config.js';

const HELP = `Usage: pnpm cli migrate

Applies the database migrations that DATABASE_URL does not have yet, printing each one, and exits
non-zero if one fails (the failed migration is rolled back). Run it as the role that owns the schema.`;

export async function run(argv: string[]): Promise<number> {
  try {
    const { values } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } }, strict: true });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  const config = loadCliConfig();
  const target = redactUrl(config.DATABASE_URL);
  const database = createDb({
    ...databaseSettings(config),
    poolSize: 1,
    applicationName: 'store-monitoring-migrate',
    // A migration may rewrite a large table: it is bounded by the operator who runs it, not by a timeout.
    statementTimeoutMs: 0,
  });
  try {
    const results = await migrateToLatest(database.db);
    if (results.length === 0) console.log(`${target}: already up to date`);
    for (const result of results) console.log(`${target}: applied ${result.migrationName}`);
    return 0;
  } catch (error) {
    if (error instanceof MigrationError) {
      for (const result of error.results) console.error(`${target}: ${result.status === 'Success' ? 'applied' : result.status === 'Error' ? 'FAILED' : 'not run'} ${result.migrationName}`);
    }
    console.error(`${target}: ${(error as Error).message}`);
    return 1;
  } finally {
    await database.close();
  }
}
