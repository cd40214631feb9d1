import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

export type { RandomGenerator };

/** murmur3's finaliser: spreads every input bit over the output, so nearby keys give unrelated seeds. */
function mix32(value: number): number {
  let h = value | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/** Combines keys into one 32-bit hash. */
export function hashKeys(...keys: number[]): number {
  let h = 0x9e3779b9;
  for (const key of keys) h = mix32(h ^ mix32(key));
  return h;
}

/**
 * A generator determined by the dataset seed and a few keys (store index, day number, …). Each
 * part of the data draws from its own generator, so a longer window or a later end date leaves
 * the shared part of the data unchanged.
 */
export function randomFor(seed: number, ...keys: number[]): RandomGenerator {
  return xoroshiro128plus(hashKeys(seed, ...keys));
}

/** A uniform double in [0, 1) that depends only on the keys, without keeping a generator. */
export function unitFor(seed: number, ...keys: number[]): number {
  return (hashKeys(seed, ...keys) >>> 0) / 4_294_967_296;
}

export function unit(rng: RandomGenerator): number {
  return uniformFloat64(rng);
}

export function intBetween(rng: RandomGenerator, from: number, to: number): number {
  return uniformInt(rng, from, to);
}

export function pick<T>(rng: RandomGenerator, items: readonly T[]): T {
  return items[uniformInt(rng, 0, items.length - 1)]!;
}

/** Picks by weight; weights need not sum to one. */
export function pickWeighted<T>(rng: RandomGenerator, items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((sum, [, weight]) => sum + weight, 0);
  let target = unit(rng) * total;
  for (const [item, weight] of items) {
    target -= weight;
    if (target < 0) return item;
  }
  return items[items.length - 1]![0];
}

/** Fisher–Yates in place. */
export function shuffleInPlace<T>(rng: RandomGenerator, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = uniformInt(rng, 0, i);
    const swap = items[i]!;
    items[i] = items[j]!;
    items[j] = swap;
  }
  return items;
}
