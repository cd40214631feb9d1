/**
 * The page's own address: `/?report=<id>` names the report open (to bookmark, and so the back button
 * works) and `?owner=<id>` the owner the operator is viewing the page as.
 */

const REPORT_PARAM = 'report';
const OWNER_PARAM = 'owner';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The report an address names, in canonical form (as the API answers ids), or null. */
export function reportIdInUrl(href: string): string | null {
  const value = new URL(href).searchParams.get(REPORT_PARAM)?.trim().toLowerCase() ?? '';
  return UUID.test(value) ? value : null;
}

/** What the address gives as a report id when it is not one (to say so), or null. */
export function invalidReportParam(href: string): string | null {
  const value = new URL(href).searchParams.get(REPORT_PARAM);
  return value !== null && reportIdInUrl(href) === null ? value : null;
}

/** The address of a report (null: of the page with no report), keeping the rest of the address. */
export function urlForReport(href: string, reportId: string | null): string {
  return withParam(href, REPORT_PARAM, reportId);
}

/** The owner whose view the address names, or null. */
export function ownerIdInUrl(href: string): string | null {
  const value = new URL(href).searchParams.get(OWNER_PARAM)?.trim().toLowerCase() ?? '';
  return UUID.test(value) ? value : null;
}

/** The address of an owner's view (null: the operator's own), keeping the rest of the address. */
export function urlForOwner(href: string, ownerId: string | null): string {
  return withParam(href, OWNER_PARAM, ownerId);
}

function withParam(href: string, name: string, value: string | null): string {
  const url = new URL(href);
  if (value === null) url.searchParams.delete(name);
  else url.searchParams.set(name, value);
  return `${url.pathname}${url.search}${url.hash}`;
}
