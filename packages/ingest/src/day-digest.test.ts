import { DayDigest, dayKey, StoreIdHash } from './day-digest.js';

type Poll = [storeId: string, observedAtUs: number, active: boolean];

function digestOf(polls: Poll[]): string {
  const digest = new DayDigest();
  const hash = new StoreIdHash();
  for (const [storeId, observedAtUs, active] of polls) digest.add(hash.of(storeId), observedAtUs, active);
  return digest.toString();
}

const POLLS: Poll[] = [
  ['9222367421889482050', 1_674_389_379_388_884, true],
  ['0001e5f6-2b3c-4d5e-8f90-123456789abc', 1_674_389_379_388_885, false],
  ['42', 1_674_390_000_000_000, true],
];

describe('DayDigest', () => {
  it('does not depend on the order of the polls', () => {
    expect(digestOf([POLLS[2]!, POLLS[0]!, POLLS[1]!])).toBe(digestOf(POLLS));
  });

  it('changes with any poll: one more, one less, a flipped status, a microsecond, another store', () => {
    const base = digestOf(POLLS);
    const variants: Poll[][] = [
      [...POLLS, ['43', 1_674_390_000_000_000, true]],
      POLLS.slice(1),
      [POLLS[0]!, POLLS[1]!, ['42', 1_674_390_000_000_000, false]],
      [POLLS[0]!, POLLS[1]!, ['42', 1_674_390_000_000_001, true]],
      [POLLS[0]!, POLLS[1]!, ['24', 1_674_390_000_000_000, true]],
      [...POLLS, POLLS[2]!],
    ];
    const digests = variants.map(digestOf);
    expect(digests).not.toContain(base);
    expect(new Set(digests).size).toBe(digests.length);
  });

  it('names days by their UTC date', () => {
    expect(dayKey(19_379)).toBe('2023-01-22');
  });
});
