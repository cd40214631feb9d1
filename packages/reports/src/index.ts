export { REPORT_ID_PATTERN, assertReportId, isReportId } from './report-id.js';
export { POSTGRES_EPOCH_US, dateToUs, parseTimestampUs, formatTimestampUs } from '@store-monitoring/sources';
export { compareStoreIds } from './store-order.js';
export { normalizeHours } from './business-hours.js';
export { pollsThatMatter, sortPollsByTime, type PollSeries } from './poll-window.js';
export { planShards, type ShardRange } from './shard-plan.js';
export {
  STORE_BATCH_SIZE,
  DataVersionDroppedError,
  DEFAULT_REPORT_STATEMENT_TIMEOUT_MS,
  explainStoresQuery,
  readStoreForTimeline,
  storesQuery,
  streamStoreInputs,
  type PinnedData,
  type StoreRange,
  type StoreSelection,
} from './store-reader.js';
export { loadReportSettings, pinnedStoreSet, type ReportSettings } from './report-settings.js';
export { pageOfVisibleStores, readSpecialHoursOf, readStoreHistoryInput, streamStoreHistoryInputs, type HistoryPinned } from './history-reader.js';
export { computeFleetHistory, computeStoreHistories, computeStoreHistory, rollupFigures, runHistoryComputation, type HistoryPeriod } from './history-computation.js';
export { AtomicFile, LineBuffer, ReportStorageError, reportPaths, shareReportFile, type ReportPaths } from './report-files.js';
export { writeShardPart, type ShardPartRequest, type ShardPartResult } from './shard-writer.js';
export {
  MissingPartError,
  assembleReport,
  removeReportFiles,
  removeReportParts,
  type AssembleRequest,
  type AssembledReport,
} from './assemble.js';
export {
  writeReportFromDirectory,
  type OfflineReportOptions,
  type OfflineReportProgress,
  type OfflineReportSummary,
  type SourceRejection,
} from './offline-report.js';
export { asOfProblem, type RetainedRange } from './as-of-range.js';
export { CsvFile, writeReportRows, type WrittenCsv } from './csv-file.js';
export {
  NO_OBSERVATIONS_MESSAGE,
  ReportNotQueuedError,
  ReportPipeline,
  type NewReport,
  type ReportPipelineDependencies,
  type ReportPipelineHooks,
  type ReportPipelineLogger,
  type ReportPipelineSettings,
  type ReportQueues,
  type SharingOutcome,
  type SweepOutcome,
} from './report-pipeline.js';
export { HISTORY_FIGURES_INTERPOLATION, catchUpHistoryFigures, historyFiguresBehind, maintainHistoryFigures, type HistoryFigureOutcome, type HistoryFigureSettings } from './history-figures.js';
