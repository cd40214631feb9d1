import { createTestDatabase } from '@store-monitoring/db/testing';
import { runIngest } from './dist/index.js';
const dir = process.argv[2];
const database = await createTestDatabase('smoke');
try {
  for (let i = 0; i < 2; i++) {
    const t = performance.now();
    const s = await runIngest({ db: database.db, pool: database.pool, source: { dataDir: dir }, trigger: 'cli', onProgress: (p) => { if (p.phase !== 'read') console.log(((performance.now() - t)/1000).toFixed(2), JSON.stringify(p)); } });
    console.log(((performance.now() - t)/1000).toFixed(2), 's', s.outcome, s.status_rows_added, s.files.map(f => [f.kind, f.rows_read, f.rows_loaded, f.rows_skipped, f.rows_rejected, f.duration_ms]));
  }
} finally { await database.drop(); }
