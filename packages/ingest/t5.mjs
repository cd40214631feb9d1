import { readStatusBatches } from '@store-monitoring/sources';
import { StatusCopyEncoder } from './dist/status-copy-encoder.js';
import { DayDigest, StoreIdHash } from './dist/day-digest.js';
import { StoreIdSet } from './dist/store-id-set.js';
const file = '/tmp/ingest-scratch/gen-public/store_status.csv';
async function parseOnly() { let n = 0; for await (const b of readStatusBatches(file, () => {})) n += b.length; return n; }
async function full(setKind) {
  const enc = new StatusCopyEncoder(); const digests = new Map(); const h = new StoreIdHash();
  const ids = setKind === 'js' ? new Set() : new StoreIdSet(); let n = 0;
  for await (const b of readStatusBatches(file, () => {})) for (const r of b) {
    const day = Math.floor(r.observedAtUs / 86400000000); let d = digests.get(day); if (!d) digests.set(day, d = new DayDigest());
    h.of(r.storeId); d.add(h, r.observedAtUs, r.active);
    if (setKind === 'js') ids.add(r.storeId); else ids.add(r.storeId, h.first);
    enc.add(r.storeId, r.observedAtUs, r.active, r.line); n++;
  }
  return ids.size;
}
for (let round = 0; round < 2; round++) for (const [label, fn] of [['parse', parseOnly], ['full-js-set', () => full('js')], ['full-custom', () => full('custom')]]) {
  const c0 = process.cpuUsage(); const t = performance.now(); const r = await fn(); const u = process.cpuUsage(c0);
  console.log(label.padEnd(12), 'wall', (performance.now() - t).toFixed(0), 'cpu', ((u.user + u.system) / 1000).toFixed(0), r);
}
