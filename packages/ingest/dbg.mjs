import { createTestDatabase } from '@store-monitoring/db/testing';
import pg from 'pg';
const q = pg.Client.prototype.query;
pg.Client.prototype.query = function (...a) { if (typeof a[0] === 'string' && /ALTER|CREATE|SAVEPOINT|ROLLBACK/.test(a[0])) process.stderr.write('SQL ' + a[0].replace(/\s+/g, ' ').slice(0, 160) + '\n'); return q.apply(this, a); };
const { runIngest } = await import('./dist/index.js');
const database = await createTestDatabase('dbg');
try {
  await runIngest({ db: database.db, pool: database.pool, source: { dataDir: '/tmp/ingest-scratch/gen-small' }, trigger: 'cli' }).catch(e => console.log(e.message));
} finally { await database.drop(); }
