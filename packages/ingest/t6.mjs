import { readStatusBatches } from '@store-monitoring/sources';
import { StatusCopyEncoder } from './dist/status-copy-encoder.js';
import { DayDigest, StoreIdHash } from './dist/day-digest.js';
import { StoreIdSet } from './dist/store-id-set.js';
const file = '/tmp/ingest-scratch/gen-public/store_status.csv';
const mode = process.argv[2] ?? 'hdse';
const enc = new StatusCopyEncoder(); const digests = new Map(); const h = new StoreIdHash(); const ids = new StoreIdSet(); let n = 0;
const c0 = process.cpuUsage();
for await (const b of readStatusBatches(file, () => {})) for (const r of b) {
  if (mode.includes('h')) h.of(r.storeId);
  if (mode.includes('d')) { const day = Math.floor(r.observedAtUs / 86400000000); let d = digests.get(day); if (!d) digests.set(day, d = new DayDigest()); d.add(h, r.observedAtUs, r.active); }
  if (mode.includes('s')) ids.add(r.storeId, h.first);
  if (mode.includes('e')) enc.add(r.storeId, r.observedAtUs, r.active, r.line);
  n++;
}
const u = process.cpuUsage(c0); console.log(mode, 'cpu', ((u.user + u.system) / 1000).toFixed(0));
