import { generateDataset } from './dist/index.js';
const t = performance.now();
const r = await generateDataset({ outDir: '/tmp/ingest-scratch/gen-small', stores: 3000, days: 8, seed: 7 });
console.log(r.rows, ((performance.now() - t) / 1000).toFixed(1), 's');
