import type { FigureRow, TargetCheck, Unit } from './figures.js';
import type { BenchRun } from './harness.js';

export function formatValue(value: number, unit: Unit): string {
  switch (unit) {
    case 's':
      return `${value.toFixed(value < 100 ? 2 : 1)} s`;
    case 'x':
      return `${value.toFixed(2)}×`;
    case 'MB':
      return `${value.toFixed(0)} MB`;
    case 'req/s':
      return `${Math.round(value).toLocaleString('en-US')} req/s`;
    case 'ms':
      return `${value.toFixed(1)} ms`;
  }
}

/** A Markdown table: readable in a terminal and in BENCHMARKS.md alike. */
export function markdownTable(header: string[], lines: string[][], rightAligned: number[] = []): string {
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
  const cell = (text: string, column: number) => (rightAligned.includes(column) ? text.padStart(widths[column]!) : text.padEnd(widths[column]!));
  const rule = widths.map((width, column) => (rightAligned.includes(column) ? `${'-'.repeat(width - 1)}:` : '-'.repeat(width)));
  return [header, rule, ...lines].map((line, index) => `| ${line.map((text, column) => (index === 1 ? text : cell(text, column))).join(' | ')} |`).join('\n');
}

export function figuresTable(rows: FigureRow[]): string {
  return markdownTable(
    ['size', 'figure', 'runs', 'median', 'min', 'max'],
    rows.map((row) => [row.scale, row.figure, String(row.runs), formatValue(row.median, row.unit), formatValue(row.min, row.unit), formatValue(row.max, row.unit)]),
    [2, 3, 4, 5],
  );
}

export function targetsTable(checks: TargetCheck[]): string {
  return markdownTable(
    ['target', 'result', 'measured'],
    checks.map((check) => [check.target, check.outcome, check.detail]),
  );
}

export function machineLines(run: BenchRun): string[] {
  const { machine } = run;
  const load = `load average (1 min) ${machine.loadAtStart.toFixed(2)} at the start, ${machine.loadAtEnd?.toFixed(2) ?? '?'} at the end`;
  return [
    `- CPU: ${machine.cpu}, ${machine.cores} cores; memory ${machine.memoryGiB} GiB`,
    `- Node ${machine.node}, PostgreSQL ${machine.postgres}, Redis ${machine.redis}, all on this machine`,
    `- ${run.startedAt} → ${run.finishedAt}; ${load}`,
  ];
}

function datasetLines(run: BenchRun): string[] {
  return run.scales.map(
    (scale) =>
      `- ${scale.scale.label}: ${scale.dataset.stores.toLocaleString('en-US')} stores, ${scale.dataset.polls.toLocaleString('en-US')} polls over ${scale.scale.days} days ` +
      `(generator seed ${run.settings.seed})${scale.report ? `; report as_of ${scale.report.asOf}` : ''}`,
  );
}

/** Anything a reader of the figures should know that is not a figure. */
export function warnings(run: BenchRun): string[] {
  const lines: string[] = [];
  for (const scale of run.scales) {
    if (scale.report && !scale.report.identicalBytes) lines.push(`${scale.scale.label}: the reports of this size did not all have the same sha256`);
  }
  if (run.machine.loadAtStart > run.machine.cores * 0.5) {
    lines.push(`the machine was busy when the run started (load ${run.machine.loadAtStart.toFixed(2)} on ${run.machine.cores} cores): figures are slower than on an idle machine`);
  }
  for (const failure of run.cleanupFailures) lines.push(`clean-up failed: ${failure}`);
  return lines;
}

/** What the terminal shows at the end of a run. */
export function consoleReport(run: BenchRun, rows: FigureRow[], checks: TargetCheck[]): string {
  const warningLines = warnings(run).map((line) => `warning: ${line}`);
  return [
    ...machineLines(run),
    ...datasetLines(run),
    '',
    figuresTable(rows),
    '',
    targetsTable(checks),
    ...(warningLines.length > 0 ? ['', ...warningLines] : []),
  ].join('\n');
}

/** BENCHMARKS.md: the run's table with the machine it ran on and how to read it. */
export function benchmarksMarkdown(run: BenchRun, rows: FigureRow[], checks: TargetCheck[], commandLine: string): string {
  const warningLines = warnings(run);
  return `# Benchmarks

Recorded by \`${commandLine}\`. Each figure is the median of ${run.settings.runs} runs after one
warm-up, with the minimum and maximum; a ratio is computed run by run (run *i* of one figure against
run *i* of the other, measured back to back) and then summarised the same way.

## Machine

${machineLines(run).join('\n')}

## Data

${datasetLines(run).join('\n')}

## Results

${figuresTable(rows)}

## Targets

${targetsTable(checks)}
${warningLines.length > 0 ? `\n${warningLines.map((line) => `> ${line}`).join('\n')}\n` : ''}
## What each figure measures

- **Read limit**: \`psql\` copies the rows the report's shard reader fetches (every poll from one day
  before the week's start to \`as_of\`, ordered by store and time) to \`/dev/null\`, timed by psql's
  \`\\timing\`: the cost of merely handing the report's rows over.
- **Report**: \`POST /api/trigger_report\` on the real API (HTTP on 127.0.0.1) until
  \`GET /api/get_report\` (polled every 25 ms) answers Complete, the CSV renamed into place; worker
  processes are spawned with their default settings (\`WORKER_CONCURRENCY\`, \`REPORT_SHARDS\`). The worker's
  own compute and assemble times come from the report's \`timings\`. Every measured report asks
  \`recompute: true\`, so it is computed even though the previous run was identical; after each run
  the same report is triggered once more without it and completes from the one just computed
  (the shared-computation figure).
- **Owners**: 100 owners with disjoint sets (store i, in id order, belongs to owner i mod 100).
  One owner's report with \`recompute: true\` (its own read) against the all-stores report of the
  same run; the storm of all 100 owners' reports triggered together for an \`as_of\` nothing was
  computed for (first trigger → last Complete); and, last in the section, the storm right after an
  ingest: one more hour of polls is put where the workers read, a refresh is asked through the API,
  and as soon as its data version commits every owner triggers the report with the default
  \`as_of\`, timed from the commit to the last Complete (the workers' post-ingest work included).
  Each owner of a storm polls \`get_report\` every 250 ms, as a dashboard would, and honours a
  load-shedding 503's \`Retry-After\`.
- **Speed-up**: the same report with more worker processes.
- **CPU time**: user + system CPU seconds of the worker processes, and of the Postgres backends
  connected to the run's database, during each report (\`/proc/<pid>/stat\`): with the wall time
  they show whether JavaScript, Postgres or the cores themselves bound the report.
- **Memory**: peak resident memory (\`VmHWM\`, reset before each report, and \`VmRSS\` sampled every
  50 ms) of every worker and of the API while a report runs.
- **Ingest**: the ingest package's own benchmark (\`pnpm bench:ingest\`) at the same size and seed:
  \`runIngest\` of the three files into a fresh database against \`psql \\copy\` of the same status file
  into a bare table (text columns, no index), pair by pair, plus a rerun over unchanged files, a
  rerun after one more hour of polls, and reading the status file alone. Its runs have no separate
  warm-up; at 10x it runs once.
- **Polling**: \`apps/api\`'s autocannon benchmark of \`get_report\` for a running report against a bare
  Fastify route in the same run (issue 6's load figure).

Every run uses its own databases (\`sm_bench_…\`, dropped at the end) and Redis key prefix
(deleted at the end); generated datasets are cached in \`bench-out/\`.

## Reproduce

\`\`\`sh
pnpm install --frozen-lockfile && pnpm build
pnpm bench                    # public size (add --write to update this file)
pnpm bench --scale 10 --runs 3 --write   # also ten times the public size; takes a while
\`\`\`
`;
}
