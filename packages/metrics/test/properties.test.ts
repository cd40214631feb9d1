import fc from 'fast-check';
import { createReportEngine, type HoursRow, type Interpolation, type SpecialHoursRow, type StoreInput, type StoreMetrics } from '../src/index.js';
import { switchHostTimezone } from './support/host-timezone.js';
import { referenceCompute, wallClockMs, type ReferenceStore } from './support/reference-engine.js';

const MINUTE_MS = 60_000;

const ZONES = [
  'Australia/Sydney',
  'Australia/Lord_Howe',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'America/St_Johns',
  'Pacific/Honolulu',
  'America/New_York',
  'Europe/London',
  'America/Chicago',
];

/** Every offset change of 2023–2024 in the zones above, to the minute, found by scanning with Intl. */
function dstChanges(): number[] {
  const changes: number[] = [];
  const from = Date.UTC(2023, 0, 1);
  const to = Date.UTC(2025, 0, 1);
  for (const zone of ZONES) {
    const offsetAt = (utcMs: number): number => wallClockMs(zone, utcMs) - utcMs;
    for (let at = from; at < to; at += 6 * 3_600_000) {
      if (offsetAt(at) === offsetAt(at + 6 * 3_600_000)) continue;
      let minute = at;
      while (offsetAt(minute + MINUTE_MS) === offsetAt(at)) minute += MINUTE_MS;
      changes.push(minute + MINUTE_MS);
    }
  }
  return changes;
}

const DST_CHANGES = dstChanges();

/** Seconds of the day on whole minutes, leaning towards the hours DST changes touch. */
const timeOfDay = fc.oneof(
  fc.integer({ min: 0, max: 1439 }).map((minute) => minute * 60),
  fc.constantFrom(0, 3600, 5400, 7200, 8100, 9000, 10_800, 12_600, 82_800, 86_340),
);

const hoursRow: fc.Arbitrary<HoursRow> = fc.record({
  dayOfWeek: fc.integer({ min: 0, max: 6 }),
  startSec: timeOfDay,
  endSec: fc.oneof(timeOfDay, fc.constant(86_399)),
});

/**
 * Special rows on dates around `now` (the week before it and the day after): closed days, split
 * and overnight intervals, a closed row beside intervals.
 */
function specialHoursAround(now: number): fc.Arbitrary<SpecialHoursRow[]> {
  const date = fc.integer({ min: -9, max: 1 }).map((days) => new Date(now + days * 86_400_000).toISOString().slice(0, 10));
  const interval: fc.Arbitrary<SpecialHoursRow> = fc.record({ date, startSec: timeOfDay, endSec: fc.oneof(timeOfDay, fc.constant(86_399)) });
  const closed = date.map((day): SpecialHoursRow => ({ date: day, startSec: null, endSec: null }));
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant<SpecialHoursRow[]>([]) },
    { weight: 3, arbitrary: fc.array(fc.oneof(interval, closed), { maxLength: 5 }) },
  );
}

/** `now` on a whole minute, within eight days of a DST change (or close to it, for the short windows). */
const nowMs = fc.tuple(
  fc.constantFrom(...DST_CHANGES),
  fc.oneof(fc.integer({ min: -8 * 1440, max: 8 * 1440 }), fc.integer({ min: -26 * 60, max: 26 * 60 })),
).map(([changeMs, minutes]) => changeMs + minutes * MINUTE_MS);

/**
 * Polls on even minutes (midpoints stay on whole minutes). Some sit on a coarse grid and some are
 * repeated at the same time, with the opposite status unless the status is fixed, to exercise ties.
 */
function pollsAround(now: number, constantStatus: boolean | null): fc.Arbitrary<ReferenceStore['polls']> {
  const twoMinuteSteps = fc.oneof(
    fc.integer({ min: -9 * 720, max: 720 }),
    fc.integer({ min: -9 * 12, max: 12 }).map((twoHours) => twoHours * 60),
  );
  const status = constantStatus === null ? fc.boolean() : fc.constant(constantStatus);
  return fc
    .record({
      polls: fc.array(fc.record({ steps: twoMinuteSteps, active: status }), { maxLength: 30 }),
      repeated: fc.array(fc.nat(), { maxLength: 3 }),
    })
    .map(({ polls, repeated }) => {
      const timed = polls
        .map(({ steps, active }) => ({ atMs: now + steps * 2 * MINUTE_MS, active }))
        // Array#sort is stable: equal times keep their generated order.
        .sort((a, b) => a.atMs - b.atMs);
      for (const pick of repeated) {
        if (timed.length === 0) break;
        const index = pick % timed.length;
        const original = timed[index] as ReferenceStore['polls'][number];
        timed.splice(index + 1, 0, { atMs: original.atMs, active: constantStatus ?? !original.active });
      }
      return timed;
    });
}

const storeCase = (constantStatus: boolean | null) =>
  nowMs.chain((now) =>
    fc.record({
      now: fc.constant(now),
      store: fc.record({
        timezone: fc.oneof(fc.constantFrom<string | null>(...ZONES), fc.constantFrom<string | null>(null, 'Not/AZone')),
        hours: fc.array(hoursRow, { maxLength: 6 }),
        specialHours: specialHoursAround(now),
        polls: pollsAround(now, constantStatus),
      }),
    }),
  );

function toInput(store: ReferenceStore): StoreInput {
  return {
    storeId: 'property-store',
    timezone: store.timezone,
    hours: store.hours,
    specialHours: store.specialHours ?? [],
    pollTimesUs: store.polls.map((poll) => poll.atMs * 1000),
    pollActive: store.polls.map((poll) => (poll.active ? 1 : 0)),
  };
}

function compute(store: ReferenceStore, now: number, interpolation: Interpolation): StoreMetrics {
  return createReportEngine({ nowUs: now * 1000, interpolation }).computeStore(toInput(store));
}

const US_PER_MINUTE = 60_000_000;

describe('engine against a brute-force reference (minute sampling, quarter-hour offset search)', () => {
  it.each(['nearest', 'carry_forward'] as const)('%s: all six values agree to the microsecond', (interpolation) => {
    fc.assert(
      fc.property(storeCase(null), ({ now, store }) => {
        const expected = referenceCompute(store, now, interpolation);
        const actual = compute(store, now, interpolation);
        expect({
          hasData: actual.hasData,
          uptime: { hour: actual.uptimeHourUs, day: actual.uptimeDayUs, week: actual.uptimeWeekUs },
          downtime: { hour: actual.downtimeHourUs, day: actual.downtimeDayUs, week: actual.downtimeWeekUs },
        }).toEqual({
          hasData: expected.hasData,
          uptime: {
            hour: expected.uptime.hour * US_PER_MINUTE,
            day: expected.uptime.day * US_PER_MINUTE,
            week: expected.uptime.week * US_PER_MINUTE,
          },
          downtime: {
            hour: expected.downtime.hour * US_PER_MINUTE,
            day: expected.downtime.day * US_PER_MINUTE,
            week: expected.downtime.week * US_PER_MINUTE,
          },
        });
      }),
      { numRuns: 60 },
    );
  });

  it('uptime + downtime equals the business time in each window whenever the store has data', () => {
    fc.assert(
      fc.property(storeCase(null), fc.constantFrom<Interpolation>('nearest', 'carry_forward'), ({ now, store }, interpolation) => {
        const actual = compute(store, now, interpolation);
        fc.pre(actual.hasData);
        const { business } = referenceCompute(store, now, interpolation);
        expect([
          actual.uptimeHourUs + actual.downtimeHourUs,
          actual.uptimeDayUs + actual.downtimeDayUs,
          actual.uptimeWeekUs + actual.downtimeWeekUs,
        ]).toEqual([business.hour * US_PER_MINUTE, business.day * US_PER_MINUTE, business.week * US_PER_MINUTE]);
      }),
      { numRuns: 40 },
    );
  });
});

describe('properties that need no reference', () => {
  it('nearest and carry_forward agree when the status never changes', () => {
    fc.assert(
      fc.property(fc.boolean().chain((active) => storeCase(active)), ({ now, store }) => {
        expect(compute(store, now, 'carry_forward')).toEqual(compute(store, now, 'nearest'));
      }),
      { numRuns: 150 },
    );
  });

  it('gives identical results whatever the host time zone is', () => {
    const restoreHostZone = switchHostTimezone('UTC');
    try {
      fc.assert(
        fc.property(storeCase(null), fc.constantFrom<Interpolation>('nearest', 'carry_forward'), ({ now, store }, interpolation) => {
          switchHostTimezone('UTC');
          expect(new Date(0).getTimezoneOffset()).toBe(0);
          const underUtc = compute(store, now, interpolation);
          switchHostTimezone('Asia/Tokyo');
          // Proves the switch took effect, so the comparison below can fail.
          expect(new Date(0).getTimezoneOffset()).toBe(-540);
          expect(compute(store, now, interpolation)).toEqual(underUtc);
        }),
        { numRuns: 150 },
      );
    } finally {
      restoreHostZone();
    }
  });

  it('the changes scanned for cover both years in every zone with daylight saving', () => {
    // Sydney, Lord Howe, St John's, New York, London and Chicago change twice a year.
    expect(DST_CHANGES).toHaveLength(6 * 4);
  });
});
