/** A report id is a UUIDv4; nothing else is ever used to build a path or a job id. */
export const REPORT_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function isReportId(value: unknown): value is string {
  return typeof value === 'string' && REPORT_ID_PATTERN.test(value);
}

export function assertReportId(value: unknown): string {
  if (!isReportId(value)) throw new TypeError(`Not a report id (UUIDv4 expected): ${JSON.stringify(value)?.slice(0, 80)}`);
  return value;
}
