import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateDataset, type GeneratedDataset } from '@store-monitoring/generator';
import type { ScaleSpec } from './options.js';

export interface CachedDataset extends GeneratedDataset {
  statusBytes: number;
  /** True when this run generated it (it was not in the cache). */
  generated: boolean;
}

/** Written last: a directory without it holds an interrupted generation and is redone. */
const MANIFEST = 'dataset.json';

export function datasetKey(scale: ScaleSpec, seed: number): string {
  return scale.multiple !== null ? `scale-${scale.multiple}-seed-${seed}` : `stores-${scale.stores}-days-${scale.days}-seed-${seed}`;
}

/**
 * The generator's dataset for a size and seed, from `<cacheDir>/datasets/<key>` when a previous
 * run left it complete (the generator is deterministic, so the bytes would be the same).
 */
export async function cachedDataset(cacheDir: string, scale: ScaleSpec, seed: number, log: (line: string) => void): Promise<CachedDataset> {
  const dir = join(cacheDir, 'datasets', datasetKey(scale, seed));
  const manifestPath = join(dir, MANIFEST);
  if (existsSync(manifestPath)) {
    const dataset = JSON.parse(readFileSync(manifestPath, 'utf8')) as GeneratedDataset;
    if (Object.values(dataset.files).every((path) => existsSync(path))) {
      return { ...dataset, statusBytes: statSync(dataset.files.store_status).size, generated: false };
    }
  }
  rmSync(dir, { recursive: true, force: true });
  log(`generating ${scale.stores} stores × ${scale.days} days (seed ${seed}) into ${dir}`);
  const dataset = await generateDataset({ outDir: dir, stores: scale.stores, days: scale.days, seed });
  writeFileSync(manifestPath, `${JSON.stringify(dataset, null, 2)}\n`);
  return { ...dataset, statusBytes: statSync(dataset.files.store_status).size, generated: true };
}
