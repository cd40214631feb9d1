import type { WorkerProcess } from './worker-process.js';

/** The worker's /metrics port, from its start-up log. */
export async function metricsPortOf(worker: WorkerProcess): Promise<number> {
  const line = await worker.waitForLog((entry) => entry.msg === 'metrics server listening');
  return Number(line.port);
}

/**
 * The sum of a metric's samples whose labels include `labels`, from the worker's /metrics (0 when
 * there is none).
 */
export async function scrapeSum(port: number, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-z_:]+)(\{([^}]*)\})?\s+(\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[3] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((pair) => [pair[1], pair[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) sum += Number(match[4]);
  }
  return sum;
}
