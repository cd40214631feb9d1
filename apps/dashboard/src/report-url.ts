/** A report's own address on the dashboard: `/?report=<id>`, so it can be bookmarked and the back button works. */

const REPORT_PARAM = 'report';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The report an address names, in canonical form (as the API answers ids), or null. */
export function reportIdInUrl(href: string): string | null {
  const value = new URL(href).searchParams.get(REPORT_PARAM)?.trim().toLowerCase() ?? '';
  return UUID.test(value) ? value : null;
}

/** The address of a report (null: of the page with no report), keeping the rest of the address. */
export function urlForReport(href: string, reportId: string | null): string {
  const url = new URL(href);
  if (reportId === null) url.searchParams.delete(REPORT_PARAM);
  else url.searchParams.set(REPORT_PARAM, reportId);
  return `${url.pathname}${url.search}${url.hash}`;
}
