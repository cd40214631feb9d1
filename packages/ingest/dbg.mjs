import { createTestDatabase } from '@store-monitoring/db/testing';
import { runIngest } from './dist/index.js';
const database = await createTestDatabase('dbg');
const orig = database.pool.connect.bind(database.pool);
database.pool.connect = async () => { const c = await orig(); const q = c.query.bind(c); c.query = (...a) => { if (typeof a[0] === 'string' && /ALTER|CREATE|SAVEPOINT/.test(a[0])) console.log('SQL', a[0].replace(/\s+/g, ' ').slice(0, 160)); return q(...a); }; return c; };
try {
  await runIngest({ db: database.db, pool: database.pool, source: { dataDir: '/tmp/ingest-scratch/gen-small' }, trigger: 'cli' }).catch(e => console.log(e.message));
  console.log((await database.pool.query(`select conname, conrelid::regclass from pg_constraint where contype='p'`)).rows);
} finally { await database.drop(); }
