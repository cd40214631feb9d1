/**
 * `pnpm bench:metrics`: times the pure computation of a whole report on a generated data set of the
 * public data's shape (about 14,000 stores, 1.84M polls over eight days, real-looking hours and zones),
 * everything already in memory. Options: --stores N, --runs N, --as-of ISO.
 */
import { runInNewContext } from 'node:vm';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { createReportEngine, DAY_US, INTERPOLATIONS, type HoursRow, type Interpolation, type ReportEngine, type StoreInput } from '@store-monitoring/metrics';

/** Small deterministic PRNG (mulberry32) so every run measures the same data. */
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const ZONES: readonly (string | null)[] = [
  'America/Chicago', 'America/Chicago', 'America/New_York', 'America/New_York', 'America/Denver',
  'America/Los_Angeles', 'America/Los_Angeles', 'America/Phoenix', 'America/Anchorage', 'America/Boise',
  'America/Detroit', 'America/Indiana/Indianapolis', 'America/Kentucky/Louisville', 'Pacific/Honolulu',
  'Asia/Kolkata', 'Asia/Kathmandu', 'America/St_Johns', 'Australia/Sydney', 'Europe/London', null, 'Not/AZone',
];

const HOUR_SEC = 3600;

function generateHours(random: () => number): HoursRow[] {
  const kind = random();
  const rows: HoursRow[] = [];
  const openDays = (): number[] => [0, 1, 2, 3, 4, 5, 6].filter(() => random() > 0.12);
  if (kind < 0.2) return rows; // open around the clock
  if (kind < 0.55) {
    const startSec = (8 + Math.floor(random() * 4)) * HOUR_SEC + (random() < 0.3 ? 1800 : 0);
    const endSec = (20 + Math.floor(random() * 4)) * HOUR_SEC;
    for (const dayOfWeek of openDays()) rows.push({ dayOfWeek, startSec, endSec });
  } else if (kind < 0.75) {
    // Late-night stores: the export splits the span at midnight into two rows.
    const endSec = (1 + Math.floor(random() * 3)) * HOUR_SEC;
    const startSec = (15 + Math.floor(random() * 4)) * HOUR_SEC;
    for (const dayOfWeek of openDays()) {
      rows.push({ dayOfWeek, startSec, endSec: 86_399 });
      rows.push({ dayOfWeek: (dayOfWeek + 1) % 7, startSec: 0, endSec });
    }
  } else if (kind < 0.95) {
    for (const dayOfWeek of openDays()) {
      rows.push({ dayOfWeek, startSec: 7 * HOUR_SEC, endSec: 10 * HOUR_SEC + 1800 });
      rows.push({ dayOfWeek, startSec: 11 * HOUR_SEC, endSec: 15 * HOUR_SEC });
      rows.push({ dayOfWeek, startSec: 17 * HOUR_SEC, endSec: 22 * HOUR_SEC + 1800 });
    }
  } else {
    const startSec = Math.floor(random() * 24) * HOUR_SEC;
    for (const dayOfWeek of openDays()) rows.push({ dayOfWeek, startSec, endSec: (startSec + 10 * HOUR_SEC) % 86_400 });
  }
  return rows;
}

interface DataSet {
  stores: StoreInput[];
  pollCount: number;
}

function generateDataSet(storeCount: number, nowUs: number): DataSet {
  const random = createRandom(20230125);
  const pollCounts = Array.from({ length: storeCount }, () => 100 + Math.floor(random() * 63));
  const pollCount = pollCounts.reduce((sum, count) => sum + count, 0);
  const allTimes = new Float64Array(pollCount);
  const allActive = new Uint8Array(pollCount);
  const spanUs = 8 * DAY_US;
  const stores: StoreInput[] = [];
  let offset = 0;
  for (let store = 0; store < storeCount; store++) {
    const count = pollCounts[store] as number;
    const stepUs = spanUs / count;
    let active = 1;
    for (let i = 0; i < count; i++) {
      const jitterUs = (random() - 0.5) * 0.8 * stepUs;
      allTimes[offset + i] = Math.round(nowUs - spanUs + (i + 0.5) * stepUs + jitterUs);
      if (active === 1 ? random() < 0.06 : random() < 0.35) active ^= 1;
      allActive[offset + i] = active;
    }
    const storeId = String(9_222_367_421_889_482_050n - BigInt(store) * 7_919_000_000_001n);
    stores.push({
      storeId,
      timezone: ZONES[Math.floor(random() * ZONES.length)] ?? null,
      hours: generateHours(random),
      pollTimesUs: allTimes.subarray(offset, offset + count),
      pollActive: allActive.subarray(offset, offset + count),
    });
    offset += count;
  }
  return { stores, pollCount };
}

/** One report: a fresh engine over every store; the checksum keeps the work observable. */
function computeReport(dataSet: DataSet, nowUs: number, interpolation: Interpolation): { checksum: number; engine: ReportEngine } {
  const engine = createReportEngine({ nowUs, interpolation });
  let checksum = 0;
  for (const store of dataSet.stores) {
    const metrics = engine.computeStore(store);
    checksum += metrics.uptimeWeekUs + metrics.downtimeHourUs;
  }
  return { checksum, engine };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      stores: { type: 'string', default: '14092' },
      runs: { type: 'string', default: '7' },
      // A week holding the US spring-forward change, so zone transitions are part of the work.
      'as-of': { type: 'string', default: '2023-03-14T18:13:22.479Z' },
    },
  });
  const storeCount = Number(values.stores);
  const runs = Math.max(5, Number(values.runs));
  const nowUs = Date.parse(values['as-of']) * 1000;
  if (!Number.isSafeInteger(storeCount) || storeCount <= 0 || !Number.isSafeInteger(nowUs)) {
    throw new Error('usage: bench [--stores N] [--runs N>=5] [--as-of ISO-8601]');
  }
  setFlagsFromString('--expose-gc');
  const collectGarbage = runInNewContext('gc') as () => void;

  const dataSet = generateDataSet(storeCount, nowUs);
  console.log(`metrics engine: ${dataSet.stores.length} stores, ${dataSet.pollCount} polls, now ${values['as-of']}, node ${process.version}`);
  console.log('interpolation   median s   min s   max s   ns/poll   heap Δ MB during   KB kept by engine');
  for (const interpolation of INTERPOLATIONS) {
    for (let warmUp = 0; warmUp < 2; warmUp++) computeReport(dataSet, nowUs, interpolation);
    const seconds: number[] = [];
    let growthBytes = 0;
    let keptBytes = 0;
    for (let run = 0; run < runs; run++) {
      collectGarbage();
      const heapBefore = process.memoryUsage().heapUsed;
      const started = process.hrtime.bigint();
      const report = computeReport(dataSet, nowUs, interpolation);
      seconds.push(Number(process.hrtime.bigint() - started) / 1e9);
      // Short-lived garbage of the run, then what the still-referenced engine holds after a collection.
      growthBytes = Math.max(growthBytes, process.memoryUsage().heapUsed - heapBefore);
      collectGarbage();
      keptBytes = Math.max(keptBytes, process.memoryUsage().heapUsed - heapBefore);
      if (!Number.isFinite(report.checksum) || report.engine === undefined) throw new Error('report went wrong');
    }
    const medianSeconds = median(seconds);
    console.log(
      [
        interpolation.padEnd(14),
        medianSeconds.toFixed(3).padStart(9),
        Math.min(...seconds).toFixed(3).padStart(7),
        Math.max(...seconds).toFixed(3).padStart(7),
        ((medianSeconds * 1e9) / dataSet.pollCount).toFixed(1).padStart(9),
        (growthBytes / 1_048_576).toFixed(1).padStart(16),
        (keptBytes / 1024).toFixed(0).padStart(19),
      ].join(' '),
    );
  }
}

main();
