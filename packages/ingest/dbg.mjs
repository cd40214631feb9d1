import { createTestDatabase } from '@store-monitoring/db/testing';
import pg from 'pg';
const q = pg.Client.prototype.query;
let t0 = performance.now(); let on = false;
pg.Client.prototype.query = function (...a) {
  const text = typeof a[0] === 'string' ? a[0] : a[0]?.text ?? '';
  const start = performance.now();
  const r = q.apply(this, a);
  if (on && r && typeof r.then === 'function') r.then(() => { const d = performance.now() - start; if (d > 100) process.stderr.write(`${((start - t0)/1000).toFixed(2)} +${d.toFixed(0)}ms ${text.replace(/\s+/g, ' ').slice(0, 110)}\n`); }, () => {});
  return r;
};
const { runIngest } = await import('./dist/index.js');
const database = await createTestDatabase('dbg');
try {
  for (const dir of process.argv.slice(2)) {
    t0 = performance.now(); on = true;
    const s = await runIngest({ db: database.db, pool: database.pool, source: { dataDir: dir }, trigger: 'cli', onProgress: (p) => { if (p.phase !== 'read') process.stderr.write(`${((performance.now() - t0)/1000).toFixed(2)} ${JSON.stringify(p)}\n`); } });
    console.log('total', ((performance.now() - t0)/1000).toFixed(2), s.outcome, s.status_rows_added);
  }
} finally { await database.drop(); }
