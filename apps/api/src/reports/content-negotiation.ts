/** Quality of each media range in an Accept header, e.g. `text/csv;q=0.9, application/json`. */
function acceptQualities(accept: string): Map<string, number> {
  const qualities = new Map<string, number>();
  for (const part of accept.split(',')) {
    const [range, ...params] = part.trim().toLowerCase().split(';');
    if (!range) continue;
    let quality = 1;
    for (const param of params) {
      const [key, value] = param.trim().split('=');
      if (key === 'q' && value !== undefined) {
        const parsed = Number(value);
        quality = Number.isFinite(parsed) ? Math.max(0, Math.min(1, parsed)) : 0;
      }
    }
    qualities.set(range, Math.max(quality, qualities.get(range) ?? 0));
  }
  return qualities;
}

/**
 * A finished report answers its CSV unless the client asks for JSON by name and does not rank CSV
 * higher: browsers (`text/html, …, *\/*`) and curl get the file, `Accept: application/json` gets JSON.
 */
export function prefersJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const qualities = acceptQualities(accept);
  const json = qualities.get('application/json') ?? 0;
  if (json <= 0) return false;
  const csv = Math.max(qualities.get('text/csv') ?? 0, qualities.get('text/*') ?? 0);
  return json >= csv;
}
