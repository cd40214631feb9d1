import { StoreEvaluator } from './report-engine.js';
import type { StatusPieceSink } from './status-timeline.js';
import type { EngineSettings, StoreInput, StoreTimeline } from './types.js';

/** Collects status pieces, joining a piece to the one before when they touch and agree. */
class SegmentRecorder implements StatusPieceSink {
  readonly segments: StoreTimeline['segments'] = [];

  piece(startUs: number, endUs: number, active: boolean): void {
    const last = this.segments.at(-1);
    if (last !== undefined && last.endUs === startUs && last.active === active) last.endUs = endUs;
    else this.segments.push({ startUs, endUs, active });
  }
}

/**
 * One store's week for display: business intervals, derived status segments and the polls behind
 * them. Runs the same computation as `createReportEngine(settings).computeStore(input)`.
 */
export function computeStoreTimeline(input: StoreInput, settings: EngineSettings): StoreTimeline {
  return timelineOf(new StoreEvaluator(settings), input);
}

/** Timelines of many stores with one `now`: each zone's clock is built once, not once per store. */
export function createTimelineEngine(settings: EngineSettings): { computeTimeline(input: StoreInput): StoreTimeline } {
  const evaluator = new StoreEvaluator(settings);
  return { computeTimeline: (input) => timelineOf(evaluator, input) };
}

function timelineOf(evaluator: StoreEvaluator, input: StoreInput): StoreTimeline {
  const recorder = new SegmentRecorder();
  const { zone, business, polls, metrics } = evaluator.evaluate(input, recorder, true);

  const businessIntervals: StoreTimeline['businessIntervals'] = [];
  for (let i = 0; i < business.count; i++) {
    businessIntervals.push([business.starts[i] as number, business.ends[i] as number]);
  }
  const shownPolls: StoreTimeline['polls'] = [];
  if (polls !== null) {
    for (let i = polls.firstIndex; i < polls.endIndex; i++) {
      shownPolls.push({ atUs: polls.timesUs[i] as number, active: Boolean(polls.active[i]) });
    }
  }
  return {
    storeId: input.storeId,
    timezone: zone.clock.zone,
    timezoneFallback: zone.fallback,
    windowStartUs: evaluator.windows.weekStartUs,
    nowUs: evaluator.windows.nowUs,
    businessIntervals,
    segments: recorder.segments,
    polls: shownPolls,
    metrics,
  };
}
