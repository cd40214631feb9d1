export { SourceFileError } from './source-file-error.js';
export type { RejectionCode, RejectionHandler, RowRejection } from './rejection.js';
export {
  SOURCE_KINDS,
  OPTIONAL_SOURCE_KINDS,
  ALL_SOURCE_KINDS,
  ACCEPTED_FILE_NAMES,
  sourceKindOfFileName,
  type SourceKind,
  type RequiredSourceKind,
  type SourceFiles,
} from './source-kinds.js';
export { discoverSourceFiles } from './discover-source-files.js';
export { validateStoreId, MAX_STORE_ID_LENGTH } from './store-id.js';
export { POSTGRES_EPOCH_US, dateToUs, daysFromCivil, parseTimestampUs, parseTimestampUsIn, formatTimestampUs } from './timestamp.js';
export { parseTimeOfDay, type TimeOfDay } from './time-of-day.js';
export { readCsvRecordBatches, fieldsOf, fieldCountOf, type CsvRecord, type CsvReadOptions } from './csv-records.js';
export type { SourceReadOptions } from './source-records.js';
export { readStatusBatches, readStatusRows, type StatusRecord, type StatusReadOptions } from './status-reader.js';
export { readHoursRows, type HoursRecord } from './hours-reader.js';
export { readSpecialHoursRows, parseCalendarDate, type SpecialHoursRecord } from './special-hours-reader.js';
export { readTimezoneRows, type TimezoneRecord, type TimezoneReadOptions } from './timezone-reader.js';
