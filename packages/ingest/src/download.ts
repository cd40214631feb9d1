import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { SourceFileError } from '@store-monitoring/sources';

export interface DownloadSettings {
  /** Gives up on an attempt when the server sends nothing for this long. */
  timeoutMs: number;
  attempts: number;
  /** Wait before the second attempt; doubles for each further one. */
  backoffMs: number;
}

export const DEFAULT_DOWNLOAD_SETTINGS: DownloadSettings = { timeoutMs: 30_000, attempts: 3, backoffMs: 1_000 };

/** The validators of the copy loaded last, for a conditional request. */
export interface Validators {
  etag: string | null;
  lastModified: string | null;
}

export type DownloadResult =
  | { notModified: true }
  | { notModified: false; sha256: string; bytes: number; etag: string | null; lastModified: string | null };

/** A URL fit for logs and errors: no credentials, no query string (signed URLs carry tokens there). */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}${parsed.search ? '?…' : ''}`;
  } catch {
    return '(invalid URL)';
  }
}

class HttpStatusError extends Error {
  constructor(readonly status: number, statusText: string) {
    super(`HTTP ${status}${statusText ? ` ${statusText}` : ''}`);
  }

  /** Server trouble and rate limits may pass; other client errors will not. */
  get retryable(): boolean {
    return this.status >= 500 || this.status === 408 || this.status === 429;
  }
}

/** A source that could not be fetched; `retryable` when a later attempt may succeed. */
export class SourceDownloadError extends SourceFileError {
  constructor(file: string, reason: string, readonly retryable: boolean, cause: unknown) {
    super(file, reason, { cause });
    this.name = 'SourceDownloadError';
  }
}

/**
 * Downloads a source to `destination` while hashing it. Sends If-None-Match / If-Modified-Since
 * from the last load (a 304 means unchanged), follows redirects, gives up on a silent server after
 * `timeoutMs`, and retries network errors, timeouts and 5xx answers with exponential backoff.
 * Fails with a SourceDownloadError naming the URL and the last cause.
 */
export async function downloadSource(url: string, destination: string, validators: Validators | null, settings: DownloadSettings): Promise<DownloadResult> {
  const shown = displayUrl(url);
  let lastError: unknown;
  for (let attempt = 1; attempt <= settings.attempts; attempt += 1) {
    if (attempt > 1) await sleep(settings.backoffMs * 2 ** (attempt - 2));
    try {
      return await downloadOnce(url, destination, validators, settings.timeoutMs);
    } catch (error) {
      lastError = error;
      if (error instanceof HttpStatusError && !error.retryable) break;
    }
  }
  const cause = lastError instanceof Error ? lastError.message : String(lastError);
  const retryable = !(lastError instanceof HttpStatusError) || lastError.retryable;
  const attempts = retryable ? ` (after ${settings.attempts} attempts)` : '';
  throw new SourceDownloadError(shown, `download failed: ${cause}${attempts}`, retryable, lastError);
}

async function downloadOnce(url: string, destination: string, validators: Validators | null, timeoutMs: number): Promise<DownloadResult> {
  const controller = new AbortController();
  let timer = setTimeout(() => controller.abort(), timeoutMs);
  const keepAlive = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(), timeoutMs);
  };
  const headers: Record<string, string> = {};
  if (validators?.etag) headers['if-none-match'] = validators.etag;
  if (validators?.lastModified) headers['if-modified-since'] = validators.lastModified;
  try {
    const response = await fetch(url, { headers, redirect: 'follow', signal: controller.signal });
    keepAlive();
    if (response.status === 304) {
      await response.body?.cancel();
      return { notModified: true };
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new HttpStatusError(response.status, response.statusText);
    }
    const hash = createHash('sha256');
    let bytes = 0;
    const measure = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        keepAlive();
        hash.update(chunk);
        bytes += chunk.length;
        callback(null, chunk);
      },
    });
    await pipeline(Readable.fromWeb(response.body as ReadableStream), measure, createWriteStream(destination));
    return { notModified: false, sha256: hash.digest('hex'), bytes, etag: response.headers.get('etag'), lastModified: response.headers.get('last-modified') };
  } catch (error) {
    if (controller.signal.aborted) {
      const limit = timeoutMs % 1_000 === 0 ? `${timeoutMs / 1_000} s` : `${timeoutMs} ms`;
      throw new Error(`no answer within ${limit}`, { cause: error });
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
