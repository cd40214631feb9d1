import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { SourceFileError } from './source-file-error.js';
import { ACCEPTED_FILE_NAMES, SOURCE_KINDS, sourceKindOfFileName, type SourceFiles, type SourceKind } from './source-kinds.js';

/**
 * Finds the three source files in a directory, and `special_hours.csv` when it is there. When several names match one kind (say
 * `business_hours.csv` and `menu_hours.csv`), the preferred name wins, then the first in byte order,
 * so the choice never depends on the order the file system lists them in.
 */
export async function discoverSourceFiles(dir: string): Promise<SourceFiles> {
  const directory = resolve(dir);
  let entries: string[];
  try {
    entries = (await readdir(directory, { withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => entry.name);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'the data directory does not exist' : code === 'ENOTDIR' ? 'not a directory' : (error as Error).message;
    throw new SourceFileError(directory, reason, { cause: error });
  }
  const best = new Map<SourceKind, { name: string; rank: number }>();
  for (const name of entries.sort()) {
    const match = sourceKindOfFileName(name);
    if (!match) continue;
    const current = best.get(match.kind);
    if (!current || match.rank < current.rank) best.set(match.kind, { name, rank: match.rank });
  }
  const missing = SOURCE_KINDS.filter((kind) => !best.has(kind));
  if (missing.length > 0) {
    throw new SourceFileError(directory, missing.map((kind) => `missing ${ACCEPTED_FILE_NAMES[kind]}`).join('; '));
  }
  const files = Object.fromEntries(SOURCE_KINDS.map((kind) => [kind, join(directory, best.get(kind)!.name)])) as SourceFiles;
  const special = best.get('special_hours');
  if (special) files.special_hours = join(directory, special.name);
  return files;
}
