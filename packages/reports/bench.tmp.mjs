import { createDb } from '@store-monitoring/db';
import { createReportEngine, formatReportRow } from '@store-monitoring/metrics';
import { streamStoreInputs } from './dist/index.js';
const h = createDb({ connectionString: 'postgres://postgres@127.0.0.1:5432/sm_pipeline_scratch' });
const asOfUs = Date.parse('2023-01-25T18:03:22.186Z') * 1000 + 877;
for (let run = 0; run < 3; run++) {
  const t0 = performance.now();
  let readMs = 0, computeMs = 0, n = 0, bytes = 0;
  const engine = createReportEngine({ nowUs: asOfUs, interpolation: 'nearest' });
  let t = performance.now();
  for await (const input of streamStoreInputs(h.db, { fromStoreId: null, toStoreId: null }, { asOfUs, businessHoursVersion: '1', timezonesVersion: '2' }, Number(process.env.BATCH ?? 200))) {
    const t1 = performance.now(); readMs += t1 - t;
    bytes += formatReportRow(engine.computeStore(input)).length + 1; n++;
    t = performance.now(); computeMs += t - t1;
  }
  console.log({ n, bytes, totalS: ((performance.now() - t0) / 1000).toFixed(2), readS: (readMs / 1000).toFixed(2), computeS: (computeMs / 1000).toFixed(2) });
}
await h.close();
