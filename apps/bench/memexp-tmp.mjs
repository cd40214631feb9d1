import { createTestDatabase } from '@store-monitoring/db/testing';
import { runIngest } from '@store-monitoring/ingest';
import { ServiceProcess, WORKER_MAIN, API_MAIN, freePort, waitForHttpOk } from '/work/main/apps/bench/dist/service-processes.js';
import { runReport } from '/work/main/apps/bench/dist/report-client.js';
import { PeakRssTracker } from '/work/main/apps/bench/dist/peak-rss.js';
import { deletePrefixedKeys } from '/work/main/apps/bench/dist/redis-keys.js';
import { mkdtempSync, rmSync } from 'node:fs';
const db = await createTestDatabase('bench');
const prefix = 'sm-bench-memexp';
const dir = mkdtempSync('/tmp/memexp-');
const env = { PATH: process.env.PATH, TZ: 'UTC', DATABASE_URL: db.url, QUEUE_PREFIX: prefix, REPORTS_DIR: dir };
const procs = [];
try {
  await runIngest({ db: db.db, pool: db.pool, source: { dataDir: '/work/main/bench-out/datasets/scale-1-seed-1' }, trigger: 'cli' });
  const port = await freePort();
  const api = new ServiceProcess('api', API_MAIN, { ...env, PORT: String(port), HOST: '127.0.0.1', RATE_LIMIT_MAX: '1000000' });
  procs.push(api);
  await waitForHttpOk(`http://127.0.0.1:${port}/health/ready`, api, 60000);
  for (const opts of process.argv.slice(2)) {
    const w = new ServiceProcess('w', WORKER_MAIN, { ...env, NODE_OPTIONS: opts, METRICS_PORT: '0', INGEST_ON_START: 'false', REFRESH_CRON: '0 0 1 1 *' });
    procs.push(w);
    await w.waitForOutput('"worker ready"', 60000);
    const out = [];
    for (let i = 0; i < 4; i++) {
      const t = new PeakRssTracker([w.pid]);
      const r = await runReport(`http://127.0.0.1:${port}`, 600000);
      out.push(`${r.seconds.toFixed(1)}s/${(t.stop()[0] / 1048576).toFixed(0)}MB`);
    }
    console.log(JSON.stringify(opts), out.join(' '));
    await w.stop();
  }
} finally {
  for (const p of procs) await p.stop();
  await deletePrefixedKeys('redis://127.0.0.1:6379', prefix);
  rmSync(dir, { recursive: true, force: true });
  await db.drop();
}
