import Negotiator from 'negotiator';

/** What a finished report can answer, the CSV first: it wins every tie (`*\/*`, no Accept at all). */
const REPORT_MEDIA_TYPES = ['text/csv', 'application/json'];

/**
 * A finished report answers its CSV unless the client ranks JSON higher: browsers (`text/html, …,
 * *\/*`) and curl get the file, `Accept: application/json` gets JSON. Read by `negotiator` (quality
 * values, specificity, wildcards), the negotiation every Node framework uses.
 */
export function prefersJson(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return false;
  return new Negotiator({ headers: { accept } }).mediaType(REPORT_MEDIA_TYPES) === 'application/json';
}
