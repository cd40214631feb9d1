/** Window lengths in epoch microseconds (the unit of every instant the engine handles). */
export const HOUR_US = 3_600_000_000;
export const DAY_US = 24 * HOUR_US;
export const WEEK_US = 7 * DAY_US;

/** The three half-open report windows `[start, now)`, all ending at the report's `now`. */
export interface WindowBounds {
  hourStartUs: number;
  dayStartUs: number;
  weekStartUs: number;
  nowUs: number;
}

export function windowBounds(nowUs: number): WindowBounds {
  return { hourStartUs: nowUs - HOUR_US, dayStartUs: nowUs - DAY_US, weekStartUs: nowUs - WEEK_US, nowUs };
}
