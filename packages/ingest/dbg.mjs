import { createTestDatabase } from '@store-monitoring/db/testing';
import pg from 'pg';
const q = pg.Client.prototype.query;
const t0 = performance.now();
pg.Client.prototype.query = function (...a) {
  const text = typeof a[0] === 'string' ? a[0] : a[0]?.text ?? '';
  const start = performance.now();
  const r = q.apply(this, a);
  if (r && typeof r.then === 'function') r.then(() => { const d = performance.now() - start; if (d > 50) process.stderr.write(`${((start - t0)/1000).toFixed(2)} +${d.toFixed(0)}ms ${text.replace(/\s+/g, ' ').slice(0, 110)}\n`); }, () => {});
  return r;
};
const { runIngest } = await import('./dist/index.js');
const database = await createTestDatabase('dbg');
try {
  const t = performance.now();
  await runIngest({ db: database.db, pool: database.pool, source: { dataDir: process.argv[2] }, trigger: 'cli' }).catch(e => console.log(e.message));
  console.log('total', ((performance.now() - t)/1000).toFixed(2));
} finally { await database.drop(); }
