import { resolve } from 'node:path';
import { discoverSourceFiles, SOURCE_KINDS, SourceFileError, sourceKindOfFileName, type SourceFiles, type SourceKind } from '@store-monitoring/sources';
import { displayUrl } from './download.js';

/** Where a run reads the three files (and the optional special hours): a directory, or one URL per file. */
export type IngestSource = { dataDir: string } | { urls: string[] };

export type LocatedSources = { kind: 'dir'; dir: string; files: SourceFiles } | { kind: 'urls'; urls: SourceFiles };

/** The run's source as recorded in `ingest_runs.source` (without credentials). */
export function describeSource(source: IngestSource): string {
  if ('dataDir' in source) return `dir:${resolve(source.dataDir)}`;
  return `urls:${source.urls.map((entry) => displayUrl(entry.replace(/^(store_status|business_hours|timezones|special_hours)=/, ''))).join(',')}`;
}

/**
 * Splits DATA_SOURCE_URLS (comma or whitespace separated). Each entry is a URL whose file name
 * tells its kind (`…/store_status.csv`, `…/menu_hours.csv`, `…/special_hours.csv`, …) or
 * `kind=URL` when it does not. The special-hours URL is optional.
 */
export function parseSourceUrls(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
}

function kindOfUrlEntry(entry: string): { kind: SourceKind; url: string } {
  const explicit = /^(store_status|business_hours|timezones|special_hours)=(.+)$/.exec(entry);
  const url = explicit ? explicit[2]! : entry;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SourceFileError(displayUrl(url), 'not a valid URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new SourceFileError(displayUrl(url), 'only http and https URLs are supported');
  if (explicit) return { kind: explicit[1] as SourceKind, url };
  const fileName = decodeURIComponent(parsed.pathname.split('/').pop() ?? '');
  const match = sourceKindOfFileName(fileName);
  if (!match) {
    throw new SourceFileError(displayUrl(url), 'cannot tell which source this is from its file name; write it as store_status=URL, business_hours=URL, timezones=URL or special_hours=URL');
  }
  return { kind: match.kind, url };
}

/** Finds the files of a run's source, failing with the file and the reason when a required one is missing. */
export async function locateSources(source: IngestSource): Promise<LocatedSources> {
  if ('dataDir' in source) {
    const dir = resolve(source.dataDir);
    return { kind: 'dir', dir, files: await discoverSourceFiles(dir) };
  }
  const urls: Partial<Record<SourceKind, string>> = {};
  for (const entry of source.urls) {
    const { kind, url } = kindOfUrlEntry(entry);
    if (urls[kind]) throw new SourceFileError(displayUrl(url), `a second URL for ${kind} (the first is ${displayUrl(urls[kind])})`);
    urls[kind] = url;
  }
  const missing = SOURCE_KINDS.filter((kind) => !urls[kind]);
  if (missing.length > 0) throw new SourceFileError('DATA_SOURCE_URLS', `no URL for ${missing.join(', ')}`);
  return { kind: 'urls', urls: urls as SourceFiles };
}
