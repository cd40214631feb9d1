/** The measured values of one figure (one per run) and what the table prints of them. */
export interface Summary {
  values: number[];
  median: number;
  min: number;
  max: number;
}

export function summarize(values: number[]): Summary {
  if (values.length === 0) throw new RangeError('cannot summarize an empty series');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { values, median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/**
 * Ratios of run i of one series to run i of the other. Paired runs ran back to back under the
 * same machine load, so their ratio is steadier than a ratio of two medians.
 */
export function pairedRatios(numerators: number[], denominators: number[]): number[] {
  if (numerators.length !== denominators.length) {
    throw new RangeError(`paired series differ in length: ${numerators.length} vs ${denominators.length}`);
  }
  return numerators.map((value, index) => value / denominators[index]!);
}
