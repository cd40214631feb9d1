export {
  runIngest,
  IngestRunError,
  DEFAULT_STATUS_RETENTION_DAYS,
  DEFAULT_MAX_SOURCE_SHRINK,
  type IngestOptions,
  type IngestProgress,
  type IngestSummary,
} from './run-ingest.js';
export { describeSource, parseSourceUrls, type IngestSource } from './source-location.js';
export { displayUrl, DEFAULT_DOWNLOAD_SETTINGS, type DownloadSettings } from './download.js';
export { KEPT_REJECTIONS, type IngestFileReport, type RejectedRow, type StatusDayReport } from './file-report.js';
export { KEPT_SOURCE_VERSIONS as KEPT_VERSIONS } from '@store-monitoring/db';
export { INGEST_LOCK_KEY } from '@store-monitoring/db';
