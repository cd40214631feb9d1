export * from './types.js';
export { HOUR_US, DAY_US, WEEK_US, windowBounds, type WindowBounds } from './windows.js';
export { isKnownTimezone, createTimezoneChecker, effectiveTimezone, localToUtcMs } from './zone-clock.js';
export { createReportEngine, type ReportEngine } from './report-engine.js';
export { BusinessStateReader, businessStateAt, type BusinessStateAt, type ClosedBy, type StoreHours } from './business-state.js';
export { dayNumberOfDate, validateSpecialHoursRow, END_OF_DAY_SEC } from './business-time.js';
export { computeStoreTimeline, createTimelineEngine } from './timeline.js';
export { REPORT_HEADER_LINE, formatReportRow, formatMinutes, formatHours, csvSafeStoreId } from './report-row.js';
export {
  HistoryEngine,
  HistoryRollup,
  DEFAULT_HISTORY_DAYS,
  MAX_HISTORY_DAYS,
  MOST_DOWNTIME_LISTED,
  computeStoreHistory,
  dayHundredths,
  fromHundredths,
  historyDayFigures,
  historyReadStartUs,
  incidentHundredthsOfMinute,
  uptimePercent,
  type DayFigure,
  type HistoryDay,
  type HistorySettings,
  type SetDay,
  type StoreHistory,
  type StorePeriod,
} from './history.js';
export { storeStateAt, type StoreStateName, type StoreStateNow, type StoreStateSettings } from './store-state.js';
export { IncidentRecorder, incidentMinutes, timelineIncidents, type Incident } from './incidents.js';
