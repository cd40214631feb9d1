// Prints the closing line of the test command: totals over every package's Jest run.
import fs from 'node:fs';

const file = process.argv[2];
const runs = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line)) : [];
const total = runs.reduce((sum, run) => ({ passed: sum.passed + run.passed, failed: sum.failed + run.failed, skipped: sum.skipped + run.skipped }), { passed: 0, failed: 0, skipped: 0 });
for (const run of runs) console.log(`  ${run.cwd.replace(process.cwd() + '/', '')}: ${run.passed} passed, ${run.failed} failed`);
console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
if (runs.length === 0 || total.passed === 0) {
  console.error('No test ran.');
  process.exit(1);
}
process.exit(total.failed > 0 ? 1 : 0);
