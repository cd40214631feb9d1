import { sleep } from './service-processes.js';

/** How often get_report is asked while a report runs: the resolution of the measured time. */
export const POLL_INTERVAL_MS = 25;

export interface CompletedReport {
  reportId: string;
  asOf: string;
  /** From the POST being sent to get_report answering Complete. */
  seconds: number;
  rows: number;
  bytes: number;
  sha256: string;
  /** The report's own timings as the worker recorded them (queued_ms, compute_ms, assemble_ms, total_ms). */
  timings: Record<string, number>;
}

/** Load shedding's 503 asks to come back after Retry-After: a well-behaved client does, a few times. */
async function politely(request: () => Promise<Response>): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    const response = await request();
    const retryAfter = Number(response.headers.get('retry-after'));
    if (response.status !== 503 || !Number.isFinite(retryAfter) || retryAfter <= 0 || attempt >= 5) return response;
    await response.body?.cancel();
    await sleep(retryAfter * 1_000);
  }
}

/**
 * Triggers a report with default settings through the API and polls until it is Complete, every
 * `pollIntervalMs`. Each run computes (`recompute`): an identical report would otherwise share the
 * previous run's work.
 */
export async function runReport(
  apiUrl: string,
  timeoutMs: number,
  recompute = true,
  settings: Record<string, string> = {},
  pollIntervalMs = POLL_INTERVAL_MS,
): Promise<CompletedReport> {
  const started = performance.now();
  const trigger = await politely(() =>
    fetch(`${apiUrl}/api/trigger_report`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...settings, recompute }),
    }),
  );
  const triggered = (await trigger.json()) as { report_id?: string; as_of?: string };
  if (trigger.status !== 200 || !triggered.report_id) throw new Error(`trigger_report answered ${trigger.status}: ${JSON.stringify(triggered)}`);
  const reportId = triggered.report_id;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await politely(() => fetch(`${apiUrl}/api/get_report?report_id=${reportId}`, { headers: { accept: 'application/json' } }));
    const body = (await response.json()) as Record<string, unknown>;
    if (response.status !== 200) throw new Error(`get_report answered ${response.status} for report ${reportId}: ${JSON.stringify(body)}`);
    if (body.status === 'Complete') {
      const seconds = (performance.now() - started) / 1_000;
      return {
        reportId,
        asOf: String(body.as_of ?? triggered.as_of),
        seconds,
        rows: Number(body.rows),
        bytes: Number(body.bytes),
        sha256: String(body.sha256),
        timings: (body.timings ?? {}) as Record<string, number>,
      };
    }
    if (body.status === 'Failed') throw new Error(`report ${reportId} failed: ${String(body.error)}`);
    if (Date.now() > deadline) throw new Error(`report ${reportId} was not complete after ${timeoutMs} ms (last answer ${JSON.stringify(body)})`);
    await sleep(pollIntervalMs);
  }
}
