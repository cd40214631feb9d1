import { groupStoreDays } from './poll-collection.js';

const DAY_US = 86_400_000_000;

/** The obvious way: sort each store's polls by (time, line), keep each instant's last line, split by UTC day. */
function naive(polls: { store: number; time: number; active: number; line: number }[]) {
  const byStore = new Map<number, typeof polls>();
  for (const poll of polls) byStore.set(poll.store, [...(byStore.get(poll.store) ?? []), poll]);
  const groups: string[] = [];
  for (const store of [...byStore.keys()].sort((a, b) => a - b)) {
    const sorted = byStore.get(store)!.sort((a, b) => a.time - b.time || a.line - b.line);
    const kept = sorted.filter((poll, index) => sorted[index + 1]?.time !== poll.time);
    const days = new Map<number, string[]>();
    for (const poll of kept) {
      const day = Math.floor(poll.time / DAY_US);
      days.set(day, [...(days.get(day) ?? []), `${poll.time}:${poll.active}`]);
    }
    for (const [day, entries] of days) groups.push(`${store}/${day}/${entries.join(',')}`);
  }
  return groups;
}

function grouped(polls: { store: number; time: number; active: number; line: number }[], storeCount: number) {
  const result = groupStoreDays(
    Array.from({ length: storeCount }, (_, index) => `s${index}`),
    Int32Array.from(polls, (poll) => poll.store),
    Float64Array.from(polls, (poll) => poll.time),
    Uint8Array.from(polls, (poll) => poll.active),
    Int32Array.from(polls, (poll) => poll.line),
    { maxObservedUs: null, keptDuplicates: 100 },
  );
  const groups: string[] = [];
  for (let group = 0; group < result.groupCount; group += 1) {
    const entries: string[] = [];
    for (let index = result.groupStart[group]!; index < result.groupStart[group + 1]!; index += 1) entries.push(`${result.times[index]}:${result.active[index]}`);
    groups.push(`${result.groupStore[group]}/${result.groupDay[group]}/${entries.join(',')}`);
  }
  return { groups, result };
}

describe('groupStoreDays', () => {
  it('sorts each store by time, keeps the later line of a repeated instant, and splits by UTC day', () => {
    const base = 1_674_345_600_000_000; // 2023-01-22T00:00:00Z
    const polls = [
      { store: 1, time: base + 5, active: 1, line: 2 },
      { store: 0, time: base + DAY_US + 1, active: 0, line: 3 },
      { store: 1, time: base + 5, active: 0, line: 4 },
      { store: 0, time: base - 1, active: 1, line: 5 },
      { store: 1, time: base + 1, active: 1, line: 6 },
    ];
    const { groups, result } = grouped(polls, 2);
    expect(groups).toEqual([`0/${19378}/${base - 1}:1`, `0/${19380}/${base + DAY_US + 1}:0`, `1/${19379}/${base + 1}:1,${base + 5}:0`]);
    expect(result.duplicates).toEqual([{ line: 2, winnerLine: 4, storeId: 's1', observedAtUs: base + 5, differs: true }]);
    expect([result.duplicateCount, result.duplicateConflicts]).toEqual([1, 1]);
  });

  it('agrees with the obvious way on shuffled data, also for a store with more polls than the fast path takes', () => {
    let seed = 42;
    const random = () => ((seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 4_294_967_296);
    const polls = Array.from({ length: 6_000 }, (_, line) => ({
      store: random() < 0.5 ? 0 : Math.floor(random() * 5),
      time: 1_674_000_000_000_000 + Math.floor(random() * 600) * 3_600_000_000,
      active: random() < 0.7 ? 1 : 0,
      line: line + 2,
    }));
    expect(grouped(polls, 5).groups).toEqual(naive(polls));
  });
});
