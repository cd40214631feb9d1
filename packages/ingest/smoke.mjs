import { createTestDatabase } from '@store-monitoring/db/testing';
import { runIngest } from './dist/index.js';
const dir = process.argv[2];
const database = await createTestDatabase('smoke');
try {
  for (let i = 0; i < 2; i++) {
    const t = performance.now();
    const s = await runIngest({ db: database.db, pool: database.pool, source: { dataDir: dir }, trigger: 'cli' });
    console.log(((performance.now() - t)/1000).toFixed(2), 's', JSON.stringify({ ...s, files: s.files.map(f => ({ ...f, days: undefined, rejected_rows: f.rejected_rows.slice(0, 3), warning_rows: f.warning_rows.slice(0,2) })) }, null, 1));
  }
  const r = await database.pool.query('select count(*) from store_status');
  console.log(r.rows);
} finally { await database.drop(); }
