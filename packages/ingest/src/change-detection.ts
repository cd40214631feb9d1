import { createHash, type Hash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ALL_SOURCE_KINDS, type SourceKind } from '@store-monitoring/sources';
import type { SourceFileState } from '@store-monitoring/db';
import { displayUrl, downloadSource, type DownloadSettings } from './download.js';
import { hashFile } from './file-hash.js';
import { FileReportBuilder } from './file-report.js';
import { inFileStep } from './file-step-error.js';
import type { LocatedSources } from './source-location.js';

/** One file of the run, after change detection. */
export interface RunFile {
  kind: SourceKind;
  report: FileReportBuilder;
  /** Local copy to read; null when a 304 said the file is unchanged. */
  path: string | null;
  /** The name used in rejections and errors: the file name, or the URL. */
  displayName: string;
  location: string;
  changed: boolean;
  /** True when only the ETag / Last-Modified moved (same content): record them, load nothing. */
  validatorsMoved: boolean;
  /** Set when the file's hash is still to be taken while it is read (see detectChanges). */
  hashing?: Hash;
  /** A local file as change detection saw it, to tell whether it changed before it was read. */
  detected?: { size: number; mtimeMs: number; sha256: string | null };
}

/**
 * Tells which files differ from the last successful load. A local file of the size last loaded is
 * hashed to compare; one of another size has changed for sure, and is hashed while it is read
 * (`hashing`) rather than read twice. A URL is asked for with the validators of the last load (a
 * 304 needs no download) and hashed on the way in, so a server without validators still costs no
 * reload when nothing changed. An optional source that is absent (special hours) is not a file of
 * the run: it changes nothing.
 */
export async function detectChanges(
  located: LocatedSources,
  previous: Map<SourceKind, SourceFileState>,
  settings: { downloadDir?: string; download: DownloadSettings; onDownload?: (kind: SourceKind, url: string) => void },
): Promise<RunFile[]> {
  const files: RunFile[] = [];
  for (const kind of ALL_SOURCE_KINDS) {
    const before = previous.get(kind);
    if ((located.kind === 'dir' ? located.files[kind] : located.urls[kind]) === undefined) continue;
    if (located.kind === 'dir') {
      const path = located.files[kind]!;
      const displayName = path.split('/').pop()!;
      const report = new FileReportBuilder(kind, path);
      const file: RunFile = { kind, report, path, displayName, location: path, changed: true, validatorsMoved: false };
      files.push(file);
      const { size, mtimeMs } = await inFileStep(displayName, () => stat(path));
      file.detected = { size, mtimeMs, sha256: null };
      if (before?.content_hash && before.bytes === size) {
        const { sha256 } = await inFileStep(displayName, () => hashFile(path));
        file.changed = sha256 !== before.content_hash;
        file.detected.sha256 = sha256;
        // Hashed again while it is read, to be sure the bytes loaded are the ones compared.
        if (file.changed) file.hashing = createHash('sha256');
        Object.assign(report.report, { content_hash: sha256, bytes: size, changed: file.changed });
      } else {
        file.hashing = createHash('sha256');
        Object.assign(report.report, { bytes: size, changed: true });
      }
      continue;
    }
    const url = located.urls[kind]!;
    const location = displayUrl(url);
    const report = new FileReportBuilder(kind, location);
    const file: RunFile = { kind, report, path: null, displayName: location, location, changed: false, validatorsMoved: false };
    files.push(file);
    settings.onDownload?.(kind, location);
    // Validators of a different URL say nothing about this one.
    const validators = before && before.location === location ? { etag: before.etag, lastModified: before.last_modified } : null;
    const destination = join(settings.downloadDir!, `${kind}.csv`);
    const result = await downloadSource(url, destination, validators, settings.download);
    if (result.notModified) {
      Object.assign(report.report, { content_hash: before?.content_hash ?? null, etag: before?.etag ?? null, last_modified: before?.last_modified ?? null, changed: false });
      continue;
    }
    file.path = destination;
    file.changed = result.sha256 !== before?.content_hash;
    file.validatorsMoved = !file.changed && (result.etag !== before?.etag || result.lastModified !== before?.last_modified);
    Object.assign(report.report, { content_hash: result.sha256, bytes: result.bytes, etag: result.etag, last_modified: result.lastModified, changed: file.changed });
  }
  return files;
}
