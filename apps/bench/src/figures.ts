import type { BenchRun, ScaleMeasurement } from './harness.js';
import { INGEST_HOUR_RATIO_LABEL, INGEST_RATIO_LABEL, INGEST_UNCHANGED_LABEL } from './ingest-bench.js';
import type { ReportBlock } from './report-measure.js';
import { pairedRatios, summarize, type Summary } from './stats.js';

export type Unit = 's' | 'x' | 'MB' | 'req/s' | 'ms';

/** One line of the results table. */
export interface FigureRow {
  /** `1x`, `10x`, a custom size, or `1x → 10x` for a cross-scale ratio; `—` when size does not apply. */
  scale: string;
  figure: string;
  unit: Unit;
  runs: number;
  median: number;
  min: number;
  max: number;
}

export type TargetOutcome = 'PASS' | 'MISS' | 'NOT MEASURED';

export interface TargetCheck {
  target: string;
  outcome: TargetOutcome;
  /** The measured value compared with the limit, or why it was not measured. */
  detail: string;
}

const MB = 1024 * 1024;

function row(scale: string, figure: string, unit: Unit, summary: Summary): FigureRow {
  return { scale, figure, unit, runs: summary.values.length, median: summary.median, min: summary.min, max: summary.max };
}

const workersLabel = (count: number) => `${count} worker${count === 1 ? '' : 's'}`;
const seconds = (block: ReportBlock) => block.runs.map((run) => run.seconds);
const largestWorkerMb = (block: ReportBlock) => block.runs.map((run) => Math.max(...run.workerPeakBytes) / MB);

function reportRows(measurement: ScaleMeasurement): FigureRow[] {
  const report = measurement.report;
  if (!report) return [];
  const label = measurement.scale.label;
  const rows: FigureRow[] = [];
  const [first, ...others] = report.blocks;
  if (!first) return rows;
  rows.push(row(label, `read limit: psql \\copy of the report's ${report.readRows.toLocaleString('en-US')} polls from an ideal table`, 's', summarize(report.readLimitSeconds)));
  rows.push(row(label, `report, ${workersLabel(first.workers)}: trigger → Complete (${report.reportRows.toLocaleString('en-US')} rows)`, 's', summarize(seconds(first))));
  rows.push(row(label, `report ÷ read limit, ${workersLabel(first.workers)} (pair by pair)`, 'x', summarize(pairedRatios(seconds(first), first.readLimitSeconds))));
  for (const [key, name] of [
    ['compute_ms', 'compute'],
    ['assemble_ms', 'assemble'],
  ] as const) {
    const values = first.runs.map((run) => run.timings[key]).filter((value): value is number => typeof value === 'number');
    if (values.length === first.runs.length) rows.push(row(label, `report, ${workersLabel(first.workers)}: the worker's own ${name} time`, 's', summarize(values.map((ms) => ms / 1_000))));
  }
  if (first.sharedSeconds.length > 0) {
    rows.push(row(label, `identical report while one is complete, ${workersLabel(first.workers)}: trigger → Complete (shared computation)`, 's', summarize(first.sharedSeconds)));
  }
  const owners = report.owners;
  if (owners && owners.ownerSeconds.length > 0) {
    const allStores = summarize(seconds(first)).median;
    rows.push(row(label, `one owner's report (${owners.ownerStores.toLocaleString('en-US')} stores, every 100th id), recompute, ${workersLabel(first.workers)}: trigger → Complete`, 's', summarize(owners.ownerSeconds)));
    rows.push(row(label, `one owner's report ÷ the all-stores report (median), ${workersLabel(first.workers)}`, 'x', summarize(owners.ownerSeconds.map((value) => value / allStores))));
    rows.push(row(label, `storm: 100 disjoint owners together, as_of never computed, ${workersLabel(first.workers)}: first trigger → last Complete`, 's', summarize(owners.stormSeconds)));
    rows.push(row(label, `storm ÷ the all-stores report (median), ${workersLabel(first.workers)}`, 'x', summarize(owners.stormSeconds.map((value) => value / allStores))));
    if (owners.ingestStormSeconds?.length) {
      rows.push(row(label, `storm: 100 disjoint owners, default as_of, right after an ingest of one more hour, ${workersLabel(first.workers)}: commit → last Complete`, 's', summarize(owners.ingestStormSeconds)));
      rows.push(row(label, `storm after an ingest ÷ the all-stores report (median), ${workersLabel(first.workers)}`, 'x', summarize(owners.ingestStormSeconds.map((value) => value / allStores))));
    }
  }
  for (const block of others) {
    rows.push(row(label, `report, ${workersLabel(block.workers)}: trigger → Complete`, 's', summarize(seconds(block))));
    rows.push(row(label, `report ÷ read limit, ${workersLabel(block.workers)} (pair by pair)`, 'x', summarize(pairedRatios(seconds(block), block.readLimitSeconds))));
    rows.push(row(label, `speed-up, ${workersLabel(block.workers)} vs ${first.workers} (pair by pair)`, 'x', summarize(pairedRatios(seconds(first), seconds(block)))));
  }
  for (const block of report.blocks) {
    const cpu = block.runs.map((run) => run.workerCpuSeconds.reduce((sum, value) => sum + value, 0));
    rows.push(row(label, `worker CPU time per report, ${workersLabel(block.workers)} (sum)`, 's', summarize(cpu)));
    rows.push(row(label, `Postgres CPU time per report, ${workersLabel(block.workers)}`, 's', summarize(block.runs.map((run) => run.postgresCpuSeconds))));
  }
  for (const block of report.blocks) {
    rows.push(row(label, `worker peak RSS during the report, ${workersLabel(block.workers)} (largest)`, 'MB', summarize(largestWorkerMb(block))));
  }
  rows.push(row(label, 'API peak RSS during the report', 'MB', summarize(report.blocks.flatMap((block) => block.runs.map((run) => run.apiPeakBytes / MB)))));
  return rows;
}

/** The 95th percentile (nearest rank) of a series. */
export function percentile95(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(sorted.length * 0.95) - 1)]!;
}

function historyRows(measurement: ScaleMeasurement): FigureRow[] {
  const history = measurement.history;
  if (!history) return [];
  const label = measurement.scale.label;
  const once = (value: number): Summary => summarize([value]);
  return [
    row(label, `fleet history: figures after loading into an empty database (${history.stores.toLocaleString('en-US')} stores)`, 's', once(history.firstPassSeconds)),
    row(label, 'fleet history: one more hour of polls, runIngest', 's', once(history.hourIngestSeconds)),
    row(label, `fleet history: figures after that ingest (${history.hourPassWritten.toLocaleString('en-US')} store-days written)`, 's', once(history.hourPassSeconds)),
    row(label, 'fleet history: figures ÷ the one-more-hour ingest', 'x', once(history.hourPassSeconds / history.hourIngestSeconds)),
    row(label, "fleet history: operator's GET /api/history?days=30", 'ms', summarize(history.operatorMs)),
    row(label, `fleet history: owner of ${history.ownerStores.toLocaleString('en-US')} stores, GET /api/history?days=30`, 'ms', summarize(history.ownerMs)),
    row(label, 'fleet history: GET /api/history/stores?days=30&limit=50', 'ms', summarize(history.stripsMs)),
    ...(history.eventLoopP99Ms === null ? [] : [row(label, "fleet history: the API's event-loop delay p99 while those run", 'ms', once(history.eventLoopP99Ms))]),
  ];
}

function boardRows(measurement: ScaleMeasurement): FigureRow[] {
  const board = measurement.board;
  if (!board) return [];
  const label = measurement.scale.label;
  const once = (value: number) => summarize([value]);
  return [
    row(label, `live board: state step after loading into an empty database (${board.stores.toLocaleString('en-US')} stores)`, 's', once(board.firstStepSeconds)),
    row(label, 'live board: one more hour of polls, runIngest', 's', once(board.hourIngestSeconds)),
    row(label, `live board: state step after that ingest (${board.hourStepChanged.toLocaleString('en-US')} rows changed)`, 's', once(board.hourStepSeconds)),
    row(label, 'live board: state step ÷ the one-more-hour ingest', 'x', once(board.hourStepSeconds / board.hourIngestSeconds)),
    row(label, "live board: operator's board with counts, first request after the one-more-hour step", 'ms', once(board.afterHourRequestMs)),
    row(label, "live board: operator's board with counts, first request after each re-evaluation", 'ms', summarize(board.firstRequestMs)),
    row(label, "live board: operator's board, p95 of those first requests", 'ms', once(percentile95(board.firstRequestMs))),
  ];
}

function ingestRows(measurement: ScaleMeasurement): FigureRow[] {
  const ingest = measurement.ingest;
  if (!ingest) return [];
  return ingest.figures.map((figure) => ({
    scale: measurement.scale.label,
    figure: `ingest benchmark: ${figure.label}`,
    unit: figure.unit,
    runs: ingest.runs,
    median: figure.median,
    min: figure.min,
    max: figure.max,
  }));
}

/** The 10x report against the 1x one, run i against run i, with the same worker count. */
function linearity(run: BenchRun): { summary: Summary; workers: number } | null {
  const small = run.scales.find((scale) => scale.scale.multiple === 1)?.report?.blocks[0];
  const large = run.scales.find((scale) => scale.scale.multiple === 10)?.report?.blocks[0];
  if (!small || !large || small.workers !== large.workers || small.runs.length !== large.runs.length) return null;
  return { summary: summarize(pairedRatios(seconds(large), seconds(small))), workers: small.workers };
}

export function figureRows(run: BenchRun): FigureRow[] {
  const rows = run.scales.flatMap((measurement) => [...reportRows(measurement), ...ingestRows(measurement), ...boardRows(measurement), ...historyRows(measurement)]);
  const scaled = linearity(run);
  if (scaled) rows.push(row('1x → 10x', `report 10x ÷ report 1x, ${workersLabel(scaled.workers)} (pair by pair)`, 'x', scaled.summary));
  if (run.engine) {
    const { engine } = run;
    rows.push(row('1x', `engine alone, nearest (${engine.stores.toLocaleString('en-US')} stores, ${engine.polls.toLocaleString('en-US')} polls in memory)`, 's', summarize([engine.nearestSeconds])));
    rows.push(row('1x', 'engine alone, carry_forward', 's', summarize([engine.carryForwardSeconds])));
  }
  const polling = run.polling;
  if (polling) {
    const once = (value: number): Summary => summarize([value]);
    const load = `${polling.connections} connections, ${polling.seconds} s`;
    rows.push(row('—', `get_report polling a running report (${load})`, 'req/s', once(polling.getReport.requestsPerSecond)));
    rows.push(row('—', 'get_report polling: p99 latency', 'ms', once(polling.getReport.p99Ms)));
    rows.push(row('—', `bare Fastify route, same load`, 'req/s', once(polling.bare.requestsPerSecond)));
    rows.push(row('—', 'get_report ÷ bare route throughput', 'x', once(polling.ratio)));
  }
  return rows;
}

function check(target: string, value: number | null, passes: (value: number) => boolean, describe: (value: number) => string, missing: string): TargetCheck {
  if (value === null) return { target, outcome: 'NOT MEASURED', detail: missing };
  return { target, outcome: passes(value) ? 'PASS' : 'MISS', detail: describe(value) };
}

/** The targets of the performance issue, judged on the medians (peak memory on the maximum). */
export function targetChecks(run: BenchRun): TargetCheck[] {
  const publicSize = run.scales.find((scale) => scale.scale.multiple === 1);
  const tenfold = run.scales.find((scale) => scale.scale.multiple === 10);
  // A custom size (development, the harness test) stands in for the public size, and says so.
  const base = publicSize ?? run.scales.find((scale) => scale.scale.multiple === null);
  const atBase = base && !publicSize ? ` (at ${base.scale.label}, not the public size)` : '';

  const baseTwo = base?.report?.blocks.find((block) => block.workers === 2);
  const reportRatio = baseTwo ? summarize(pairedRatios(seconds(baseTwo), baseTwo.readLimitSeconds)).median : null;
  const ingestFigure = (label: string) => base?.ingest?.figures.find((figure) => figure.label.startsWith(label))?.median ?? null;
  const ingestRatio = ingestFigure(INGEST_RATIO_LABEL);
  const unchangedSeconds = ingestFigure(INGEST_UNCHANGED_LABEL);
  const hourRatio = ingestFigure(INGEST_HOUR_RATIO_LABEL);
  const engineSeconds = run.engine?.nearestSeconds ?? null;
  const workerPeaks = run.scales.flatMap((scale) => scale.report?.blocks.flatMap((block) => block.runs.flatMap((one) => one.workerPeakBytes)) ?? []);
  const peakMb = workerPeaks.length > 0 ? Math.max(...workerPeaks) / MB : null;
  const scaled = linearity(run);
  const tenfoldBlocks = tenfold?.report?.blocks ?? [];
  const one = tenfoldBlocks.find((block) => block.workers === 1);
  const two = tenfoldBlocks.find((block) => block.workers === 2);
  const speedup = one && two ? summarize(pairedRatios(seconds(one), seconds(two))).median : null;

  const ownersAt = tenfold?.report?.owners ? tenfold : base?.report?.owners ? base : undefined;
  const ownersNote = ownersAt && ownersAt !== tenfold ? ` (at ${ownersAt.scale.label}, not 10x)` : '';
  const ownersFirst = ownersAt?.report?.blocks[0];
  const allStoresMedian = ownersFirst ? summarize(seconds(ownersFirst)).median : null;
  const ownerRatio = ownersAt && allStoresMedian ? summarize(ownersAt.report!.owners!.ownerSeconds).median / allStoresMedian : null;
  const stormRatio = ownersAt && allStoresMedian ? summarize(ownersAt.report!.owners!.stormSeconds).median / allStoresMedian : null;
  const ingestStorm = ownersAt?.report?.owners?.ingestStormSeconds ?? [];
  const ingestStormRatio = allStoresMedian && ingestStorm.length > 0 ? summarize(ingestStorm).median / allStoresMedian : null;

  const boardAt = tenfold?.board ? tenfold : base?.board ? base : undefined;
  const boardP95 = boardAt?.board ? percentile95(boardAt.board.firstRequestMs) : null;
  const boardNote = boardAt && boardAt !== tenfold ? ` (at ${boardAt.scale.label}, not 10x)` : '';

  const historyAt = tenfold?.history ? tenfold : base?.history ? base : undefined;
  const historyNote = historyAt && historyAt !== tenfold ? ` (at ${historyAt.scale.label}, not 10x)` : '';
  const history = historyAt?.history;
  const historyMaintenance = run.scales.filter((scale) => scale.history).map((scale) => scale.history!.hourPassSeconds / scale.history!.hourIngestSeconds);

  return [
    check(
      `one owner's report (every 100th store, recompute) ≤ 0.2× the all-stores report${ownersNote}`,
      ownerRatio,
      (value) => value <= 0.2,
      (value) => `${value.toFixed(2)}× (medians)`,
      'the report section did not run',
    ),
    check(
      `storm of 100 disjoint owners, as_of never computed, ≤ 1.5× the all-stores report${ownersNote}`,
      stormRatio,
      (value) => value <= 1.5,
      (value) => `${value.toFixed(2)}× (medians)`,
      'the report section did not run',
    ),
    check(
      `storm of 100 disjoint owners right after an ingest (default as_of, from the commit) ≤ 1.5× the all-stores report${ownersNote}`,
      ingestStormRatio,
      (value) => value <= 1.5,
      (value) => `${value.toFixed(2)}× (medians)`,
      'the report section did not run',
    ),
    check(
      `operator's live board with counts at 10x, first request after an ingest, p95 < 100 ms${boardNote}`,
      boardP95,
      (value) => value < 100,
      (value) => `${value.toFixed(1)} ms (p95 of ${boardAt!.board!.firstRequestMs.length} first requests)`,
      'the board section did not run',
    ),
    check(
      `report at public size, 2 workers ≤ 1.0× the read limit${atBase}`,
      reportRatio,
      (value) => value <= 1.0,
      (value) => `${value.toFixed(2)}× (median of paired runs)`,
      'needs the report section with 2 in --workers',
    ),
    check(
      'report at 10x ≤ 10.5× the public-size report',
      scaled?.summary.median ?? null,
      (value) => value <= 10.5,
      (value) => `${value.toFixed(2)}×`,
      'needs --scale 10',
    ),
    check(
      '2 workers ≥ 1.5× faster than 1 on the 10x report',
      speedup,
      (value) => value >= 1.5,
      (value) => `${value.toFixed(2)}×`,
      tenfold ? 'needs 1 and 2 in --workers' : 'needs --scale 10',
    ),
    check(
      'worker peak RSS ≤ 256 MB at every size measured',
      peakMb,
      (value) => value <= 256,
      (value) => `${value.toFixed(0)} MB, the largest of any worker in any run (${run.scales.filter((scale) => scale.report).map((scale) => scale.scale.label).join(', ')})`,
      'the report section did not run',
    ),
    check(
      `ingest at public size into an empty database ≤ 1.5× psql \\copy into a bare table${atBase}`,
      ingestRatio,
      (value) => value <= 1.5,
      (value) => `${value.toFixed(2)}× (median of paired runs)`,
      'the ingest section did not run',
    ),
    check(
      `ingest rerun over unchanged files < 0.5 s${atBase}`,
      unchangedSeconds,
      (value) => value < 0.5,
      (value) => `${value.toFixed(2)} s`,
      'the ingest section did not run',
    ),
    check(
      `one more hour of polls ≤ 1.2× one parse of the file${atBase}`,
      hourRatio,
      (value) => value <= 1.2,
      (value) => `${value.toFixed(2)}× (median of paired runs)`,
      'the ingest section did not run',
    ),
    check(
      'engine alone < 0.1 s at public size (nearest, all stores and windows)',
      engineSeconds,
      (value) => value < 0.1,
      (value) => `${value.toFixed(3)} s`,
      'the engine section did not run',
    ),
    check(
      `operator's GET /api/history?days=30 at 10x ≤ 1 s${historyNote}`,
      history ? summarize(history.operatorMs).median : null,
      (value) => value <= 1_000,
      (value) => `${value.toFixed(0)} ms (median of ${history!.operatorMs.length})`,
      'the history section did not run',
    ),
    check(
      `owner (every 100th store) GET /api/history?days=30 at 10x ≤ 0.2 s${historyNote}`,
      history ? summarize(history.ownerMs).median : null,
      (value) => value <= 200,
      (value) => `${value.toFixed(0)} ms (median of ${history!.ownerMs.length}, ${history!.ownerStores} stores)`,
      'the history section did not run',
    ),
    check(
      `the API's event-loop delay p99 < 50 ms while the histories run${historyNote}`,
      history?.eventLoopP99Ms ?? null,
      (value) => value < 50,
      (value) => `${value.toFixed(1)} ms`,
      'the history section did not run',
    ),
    check(
      'history figures after one more hour ≤ 20% of that ingest, at every size measured',
      historyMaintenance.length > 0 ? Math.max(...historyMaintenance) : null,
      (value) => value <= 0.2,
      (value) => `${(value * 100).toFixed(1)}% at most`,
      'the history section did not run',
    ),
  ];
}
