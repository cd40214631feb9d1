import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { DEFAULT_END, generateDataset, type GeneratedDataset } from '@store-monitoring/generator';
import type { ScaleSpec } from './options.js';

const HOUR_MS = 3_600_000;

/**
 * The dataset `hours` hours later than `dataset` (same seed and size: the same polls and then
 * those hours' more), cached beside it.
 */
export async function datasetHoursLater(
  dataset: GeneratedDataset,
  scale: ScaleSpec,
  seed: number,
  hours: number,
  log: (line: string) => void,
): Promise<GeneratedDataset> {
  const dir = `${dataset.outDir.replace(/\/+$/, '')}-plus-${hours}h`;
  const manifest = `${dir}/dataset.json`;
  if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')) as GeneratedDataset;
  rmSync(dir, { recursive: true, force: true });
  log(`${scale.label}: generating the dataset ${hours} hour(s) later into ${dir}`);
  const later = await generateDataset({
    outDir: dir,
    stores: scale.stores,
    days: scale.days + hours / 24,
    end: new Date(Date.parse(DEFAULT_END) + hours * HOUR_MS).toISOString(),
    seed,
  });
  writeFileSync(manifest, JSON.stringify(later));
  return later;
}
