#!/usr/bin/env node
/**
 * `pnpm cli <command> [options]`: one operator CLI. Each command lives in its own module under
 * ./commands and exports `run(argv): Promise<number>` (the process exit code).
 */
const commands = {
  migrate: () => import('./commands/migrate.js'),
  ingest: () => import('./commands/ingest.js'),
  generate: () => import('./commands/generate.js'),
  report: () => import('./commands/report.js'),
} as const;

type CommandName = keyof typeof commands;

function usage(): string {
  return [
    'Usage: pnpm cli <command> [options]',
    '',
    'Commands:',
    '  migrate                          apply database migrations to DATABASE_URL',
    '  ingest   --data-dir DIR          load the three CSV sources into Postgres (JSON summary on the last line)',
    '  generate --out DIR [--stores N] [--days D] [--end ISO] [--seed S]   write Loop-shaped sample data',
    '  report   --data-dir DIR --out FILE [--as-of ISO] [--interpolation nearest|carry_forward]',
    '                                   compute the report offline, straight from CSV files',
    '',
    'Run `pnpm cli <command> --help` for the options of one command.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  if (!(name in commands)) {
    console.error(`Unknown command "${name}".\n\n${usage()}`);
    return 2;
  }
  const command = await commands[name as CommandName]();
  return command.run(rest);
}

process.env.TZ = 'UTC';
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
