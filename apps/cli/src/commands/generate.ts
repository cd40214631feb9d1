import { DEFAULT_END, generateDataset } from '@store-monitoring/generator';
import { createProgressDisplay } from '../progress-bar.js';
import { parseCommandLine } from '../command-line.js';

const HELP = `Usage: pnpm cli generate --out DIR [--stores N] [--days D] [--end ISO] [--seed S]

Writes store_status.csv, business_hours.csv and timezones.csv shaped like Loop's exports: 19-digit
and UUID store ids, hours split at midnight, up to three intervals a day, closed days, stores
without hours or zone, unknown and odd zones, polls about hourly with outages and silences, rows
shuffled, mixed timestamp formats. The same options always give the same bytes.

Options:
  --out DIR       where to write the three files (created if missing; files are replaced)
  --stores N      stores in the registry (default 300; 14092 gives the public data's size)
  --days D        days of polls before --end (default 8; fractions allowed)
  --end ISO       last instant of the polls (default ${DEFAULT_END}, the public export's end)
  --seed S        integer seed (default 1)
  -h, --help      this text

Progress goes to stderr; the last line of stdout is a JSON summary.`;

export async function run(argv: string[]): Promise<number> {
  const options = parseCommandLine(
    argv,
    {
      out: { type: 'string' },
      stores: { type: 'string', default: '300' },
      days: { type: 'string', default: '8' },
      end: { type: 'string', default: DEFAULT_END },
      seed: { type: 'string', default: '1' },
    },
    HELP,
  );
  if (typeof options === 'number') return options;
  const stores = Number(options.stores);
  const days = Number(options.days);
  const seed = Number(options.seed);
  const problems: string[] = [];
  if (!options.out) problems.push('--out is required');
  if (!Number.isInteger(stores) || stores < 1) problems.push(`--stores must be a positive integer (got "${options.stores}")`);
  if (!(days > 0)) problems.push(`--days must be a positive number (got "${options.days}")`);
  if (!Number.isInteger(seed)) problems.push(`--seed must be an integer (got "${options.seed}")`);
  if (problems.length > 0) {
    console.error(`${problems.join('\n')}\n\n${HELP}`);
    return 2;
  }

  const display = createProgressDisplay();
  let phase = '';
  try {
    const dataset = await generateDataset({
      outDir: options.out!,
      stores,
      days,
      end: options.end,
      seed,
      onProgress: (progress) => {
        if (progress.phase !== phase) {
          phase = progress.phase;
          display.step(progress.phase === 'stores' ? 'generating stores' : 'shuffling polls', progress.total, progress.phase === 'stores' ? 'stores' : 'buckets');
        }
        display.update(progress.done);
      },
    });
    display.stop();
    console.error(`wrote ${dataset.rows.store_status} polls, ${dataset.rows.business_hours} hours rows and ${dataset.rows.timezones} zones to ${dataset.outDir}`);
    console.log(JSON.stringify(dataset));
    return 0;
  } catch (error) {
    display.stop();
    console.error(`generate failed: ${(error as Error).message}`);
    return 1;
  }
}
