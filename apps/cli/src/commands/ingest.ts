import { randomUUID } from 'node:crypto';
import { createDb, databaseSettings } from '@store-monitoring/db';
import { IngestRunError, parseSourceUrls, runIngest, type IngestProgress, type IngestSource, type IngestSummary } from '@store-monitoring/ingest';
import { redactUrl } from '@store-monitoring/logging';
import { loadCliConfig } from '../config.js';
import { createProgressDisplay } from '../progress-bar.js';
import { parseCommandLine } from '../command-line.js';

const HELP = `Usage: pnpm cli ingest [--data-dir DIR | --url URL ...] [--retention-days N] [--run-id UUID]

Loads the sources into DATABASE_URL through the same code as the hourly refresh: files
unchanged since the last successful run are skipped, the rest load in one transaction. Bad rows
are skipped and reported; a bad file fails the run and leaves the data as it was.

Options:
  --data-dir DIR        folder holding store_status.csv, business_hours.csv (or menu_hours.csv),
                        timezones.csv (or bq-results-*.csv) and, optionally, special_hours.csv;
                        default DATA_DIR
  --url URL             one per file (repeat it), instead of a folder; default DATA_SOURCE_URLS.
                        Write kind=URL (store_status, business_hours, timezones, special_hours)
                        when the URL's file name does not tell which file it is; the special_hours
                        URL is optional
  --retention-days N    status days older than this before the newest poll are dropped
                        (default STATUS_RETENTION_DAYS, 35)
  --run-id UUID         record the run under this id
  --allow-shrink        load hours or zone files that lost more than MAX_SOURCE_SHRINK (default
                        0.2) of the current version's stores; refused otherwise
  -h, --help            this text

Progress goes to stderr; the last line of stdout is the run as JSON. Exit status 0 when the run
completed (even with rejected rows), 1 when it failed, 2 for bad options.
Expects a migrated database (pnpm cli migrate).`;

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function run(argv: string[]): Promise<number> {
  const options = parseCommandLine(
    argv,
    {
      'data-dir': { type: 'string' },
      url: { type: 'string', multiple: true },
      'retention-days': { type: 'string' },
      'allow-shrink': { type: 'boolean' },
      'run-id': { type: 'string' },
    },
    HELP,
  );
  if (typeof options === 'number') return options;
  const config = loadCliConfig();
  const problems: string[] = [];
  if (options['data-dir'] && options.url) problems.push('give either --data-dir or --url, not both');
  const retentionDays = options['retention-days'] === undefined ? config.STATUS_RETENTION_DAYS : Number(options['retention-days']);
  if (!Number.isInteger(retentionDays) || retentionDays < 1) problems.push(`--retention-days must be a positive integer (got "${options['retention-days']}")`);
  if (options['run-id'] !== undefined && !UUID_PATTERN.test(options['run-id'])) problems.push(`--run-id must be a UUID (got "${options['run-id']}")`);
  if (problems.length > 0) {
    console.error(`${problems.join('\n')}\n\n${HELP}`);
    return 2;
  }

  const envUrls = parseSourceUrls(config.DATA_SOURCE_URLS);
  const source: IngestSource = options['data-dir']
    ? { dataDir: options['data-dir'] }
    : options.url
      ? { urls: options.url }
      : envUrls.length > 0
        ? { urls: envUrls }
        : { dataDir: config.DATA_DIR };

  const database = createDb({ ...databaseSettings(config), poolSize: 4, applicationName: 'store-monitoring-cli-ingest' });
  const display = createProgressDisplay();
  const onProgress = progressReporter(display);
  try {
    const summary = await runIngest({
      db: database.db,
      pool: database.pool,
      source,
      trigger: 'cli',
      runId: options['run-id'] ?? randomUUID(),
      retentionDays,
      maxSourceShrink: config.MAX_SOURCE_SHRINK,
      allowShrink: options['allow-shrink'] === true,
      statementTimeoutMs: config.INGEST_STATEMENT_TIMEOUT_MS,
      onProgress,
    });
    display.stop();
    console.error(describeOutcome(summary));
    console.log(JSON.stringify(summary));
    return 0;
  } catch (error) {
    display.stop();
    if (error instanceof IngestRunError) {
      console.error(`ingest failed: ${error.message}${missingSchemaHint(error)}`);
      console.log(JSON.stringify(error.summary));
      return 1;
    }
    console.error(`ingest failed on ${redactUrl(config.DATABASE_URL)}: ${(error as Error).message}`);
    return 1;
  } finally {
    await database.close();
  }
}

/**
 * Turns the run's progress events into the progress display. The files are read side by side, so
 * one bar shows the bytes read of all of them.
 */
function progressReporter(display: ReturnType<typeof createProgressDisplay>): (progress: IngestProgress) => void {
  const bytesRead = new Map<string, number>();
  const bytesTotal = new Map<string, number>();
  let reading = false;
  const sum = (values: Map<string, number>) => [...values.values()].reduce((total, value) => total + value, 0);
  return (progress) => {
    switch (progress.phase) {
      case 'waiting':
        process.stderr.write('another ingest run is in progress; waiting for it to finish…\n');
        break;
      case 'download':
        process.stderr.write(`downloading ${progress.url}\n`);
        break;
      case 'read': {
        const known = bytesTotal.has(progress.kind);
        bytesRead.set(progress.kind, progress.bytesRead);
        bytesTotal.set(progress.kind, progress.bytesTotal);
        if (!reading || !known) {
          reading = true;
          display.step('reading the sources', sum(bytesTotal), 'bytes');
        }
        display.update(sum(bytesRead));
        break;
      }
      case 'day':
        if (reading) display.stop();
        reading = false;
        process.stderr.write(`store_status ${progress.day}: ${progress.action}\n`);
        break;
      case 'commit':
        display.stop();
        break;
    }
  };
}

function describeOutcome(summary: IngestSummary): string {
  const seconds = (summary.duration_ms / 1_000).toFixed(1);
  if (summary.outcome === 'unchanged') return `nothing new: every source is unchanged since the last successful run (${seconds} s)`;
  const rejected = summary.files.reduce((sum, file) => sum + file.rows_rejected, 0);
  return `ingest succeeded in ${seconds} s: ${summary.status_rows_added} polls added, ${summary.stores_added} new stores, ${rejected} rows rejected`;
}

/** A database without tables fails on the first query; say what to do about it. */
function missingSchemaHint(error: IngestRunError): string {
  const cause = error.cause as { code?: string } | undefined;
  return cause?.code === '42P01' ? ' (has the database been migrated? run `pnpm cli migrate`)' : '';
}
