import { pollsThatMatter, sortPollsByTime } from './poll-window.js';

const series = (times: number[], active: number[]) => ({ timesUs: Float64Array.from(times), active: Uint8Array.from(active) });

describe('pollsThatMatter', () => {
  it('keeps every poll in [weekStart, now] and only the latest one before the week', () => {
    const polls = pollsThatMatter(series([1, 2, 3, 10, 11, 20, 21], [1, 0, 1, 0, 1, 1, 0]), 10, 20);
    expect(Array.from(polls.timesUs)).toEqual([3, 10, 11, 20]);
    expect(Array.from(polls.active)).toEqual([1, 0, 1, 1]);
  });

  it('keeps the latest earlier poll when nothing falls inside the week', () => {
    const polls = pollsThatMatter(series([1, 2, 30], [0, 1, 1]), 10, 20);
    expect(Array.from(polls.timesUs)).toEqual([2]);
  });

  it('gives nothing for a store whose polls all come after now', () => {
    const polls = pollsThatMatter(series([25, 26], [1, 1]), 10, 20);
    expect(polls.timesUs.length).toBe(0);
  });
});

describe('sortPollsByTime', () => {
  it('sorts by time and keeps the input order of equal times, so the later one stays last', () => {
    const sorted = sortPollsByTime(series([5, 1, 5, 3], [1, 0, 0, 1]));
    expect(Array.from(sorted.timesUs)).toEqual([1, 3, 5, 5]);
    expect(Array.from(sorted.active)).toEqual([0, 1, 1, 0]);
  });
});
