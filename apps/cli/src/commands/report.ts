import { resolve } from 'node:path';
import { INTERPOLATIONS, type Interpolation } from '@store-monitoring/metrics';
import { parseTimestampUs, formatTimestampUs, writeReportFromDirectory, type OfflineReportProgress, type SourceRejection } from '@store-monitoring/reports';
import cliProgress from 'cli-progress';
import { parseCommandLine } from '../command-line.js';

const HELP = `Usage: pnpm cli report --data-dir DIR --out FILE [--as-of ISO] [--interpolation nearest|carry_forward]

Computes the uptime/downtime report straight from the CSV files in DIR, without Postgres or
Redis. Same rule, same code and same bytes as a report of the service over the same data.

Options:
  --data-dir DIR        folder holding store_status.csv, business_hours.csv (or menu_hours.csv), timezones.csv
                        and, when there are special dates, special_hours.csv
  --out FILE            where to write the report CSV (written to a temporary name, then renamed)
  --as-of ISO           the report's "now" (ISO-8601 instant); default: the latest poll in the status file
  --interpolation MODE  nearest (default) or carry_forward
  -h, --help            this text

Rejected source rows are listed on stderr as FILE:LINE: REASON. The last line of stdout is a JSON summary.`;

/** Rejected rows printed one by one before only a count is kept, so a broken file cannot flood the terminal. */
const MAX_REJECTIONS_PRINTED = 1_000;

export async function run(argv: string[]): Promise<number> {
  const options = parseCommandLine(
    argv,
    {
      'data-dir': { type: 'string' },
      out: { type: 'string' },
      'as-of': { type: 'string' },
      interpolation: { type: 'string', default: 'nearest' },
    },
    HELP,
  );
  if (typeof options === 'number') return options;

  const problems: string[] = [];
  if (!options['data-dir']) problems.push('--data-dir is required');
  if (!options.out) problems.push('--out is required');
  const interpolation = options.interpolation as Interpolation;
  if (!INTERPOLATIONS.includes(interpolation)) problems.push(`--interpolation must be one of ${INTERPOLATIONS.join(', ')} (got "${options.interpolation}")`);
  let asOfUs: number | undefined;
  if (options['as-of'] !== undefined) {
    asOfUs = parseTimestampUs(options['as-of'].trim()) ?? undefined;
    if (asOfUs === undefined) problems.push(`--as-of must be an ISO-8601 instant such as 2023-01-25T18:13:22Z (got "${options['as-of']}")`);
  }
  if (problems.length > 0) {
    console.error(`${problems.join('\n')}\n\n${HELP}`);
    return 2;
  }

  let rejected = 0;
  const onReject = (rejection: SourceRejection): void => {
    rejected += 1;
    if (rejected <= MAX_REJECTIONS_PRINTED) console.error(`${rejection.file}:${rejection.line}: ${rejection.reason}`);
  };
  const onWarning = (warning: SourceRejection): void => console.error(`${warning.file}:${warning.line}: warning: ${warning.reason}`);
  const progress = createProgressReporter();
  try {
    const summary = await writeReportFromDirectory({
      dataDir: resolve(options['data-dir']!),
      outFile: resolve(options.out!),
      asOfUs,
      interpolation,
      onReject,
      onWarning,
      onProgress: progress.update,
    });
    progress.stop();
    if (rejected > MAX_REJECTIONS_PRINTED) console.error(`… and ${rejected - MAX_REJECTIONS_PRINTED} more rejected rows`);
    console.error(`Wrote ${summary.rowCount} stores to ${summary.outFile} (as of ${formatTimestampUs(summary.asOfUs)}, ${summary.interpolation}).`);
    console.log(
      JSON.stringify({
        out_file: summary.outFile,
        as_of: formatTimestampUs(summary.asOfUs),
        interpolation: summary.interpolation,
        rows: summary.rowCount,
        bytes: summary.byteSize,
        sha256: summary.sha256,
        polls_read: summary.pollsRead,
        rejected_rows: rejected,
      }),
    );
    return 0;
  } catch (error) {
    progress.stop();
    console.error(`report failed: ${(error as Error).message}`);
    return 1;
  }
}

/** A progress bar on a terminal; otherwise one plain line per step, which logs and CI keep readable. */
function createProgressReporter(): { update: (progress: OfflineReportProgress) => void; stop: () => void } {
  if (!process.stderr.isTTY) {
    let lastPhase = '';
    return {
      update(progress) {
        if (progress.phase === 'reading') {
          console.error(`reading ${progress.file}: ${progress.rowsRead} rows`);
        } else {
          if (lastPhase !== 'computing' || progress.storesDone === progress.storeCount || progress.storesDone % 10_000 === 0) {
            console.error(`computing: ${progress.storesDone}/${progress.storeCount} stores`);
          }
        }
        lastPhase = progress.phase;
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: '{phase} [{bar}] {value}/{total} {unit}', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let phase = '';
  return {
    update(progress) {
      if (progress.phase === 'reading') {
        if (phase !== 'reading') {
          bar.start(0, 0, { phase: 'reading', unit: 'rows' });
          started = true;
        }
        bar.setTotal(progress.rowsRead);
        bar.update(progress.rowsRead, { phase: 'reading', unit: 'rows' });
      } else {
        if (phase !== 'computing') {
          if (started) bar.stop();
          bar.start(progress.storeCount, 0, { phase: 'computing', unit: 'stores' });
          started = true;
        }
        bar.update(progress.storesDone);
      }
      phase = progress.phase;
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
