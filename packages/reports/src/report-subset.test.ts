import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPORT_HEADER_LINE, csvSafeStoreId } from '@store-monitoring/metrics';
import { reportPaths } from './report-files.js';
import { writeSubsets } from './report-subset.js';

const SOURCE = '11111111-1111-4111-8111-111111111111';
const TARGETS = ['22222222-2222-4222-8222-222222222222', '33333333-3333-4333-8333-333333333333'];

describe('writeSubsets', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'report-subset-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("gives each set the source's lines of its stores, in order, byte for byte, quoted ids and line feeds included", async () => {
    // Ids a spreadsheet or a CSV reader trips on, among plain ones, over more than one read chunk (1 MiB).
    const awkward = ['a,b', 'say "hi"', 'two\nlines', '=SUM(A1)', 'trailing\r', '"', ',\n,'];
    const ids: string[] = [];
    for (let index = 0; index < 40_000; index++) ids.push(index % 997 === 0 ? `${awkward[(index / 997) % awkward.length]}${index}` : `store-${String(index).padStart(6, '0')}`);
    const line = (id: string, index: number) => `${csvSafeStoreId(id)},${index % 60},${(index % 240) / 10},${index % 168},0,0,${index % 7}`;
    const lines = ids.map(line);
    await writeFile(reportPaths(dir, SOURCE).reportFile, `${REPORT_HEADER_LINE}\n${lines.join('\n')}\n`);

    const sets = [ids.filter((_, index) => index % 3 === 0), ids.filter((id, index) => index % 5 === 1 || awkward.some((text) => id.startsWith(text)))];
    const written = await writeSubsets(dir, SOURCE, TARGETS.map((reportId, index) => ({ reportId, storeIds: sets[index]! })));

    for (const [index, reportId] of TARGETS.entries()) {
      const wanted = new Set(sets[index]);
      const expected = `${REPORT_HEADER_LINE}\n${lines.filter((_, position) => wanted.has(ids[position]!)).join('\n')}\n`;
      expect(await readFile(reportPaths(dir, reportId).reportFile, 'utf8')).toBe(expected);
      expect(written.get(reportId)).toMatchObject({ rowCount: wanted.size, byteSize: Buffer.byteLength(expected) });
    }
  });

  it('fails with ENOENT and writes nothing when the source has no file', async () => {
    await expect(writeSubsets(dir, SOURCE, [{ reportId: TARGETS[0]!, storeIds: ['a'] }])).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(readFile(reportPaths(dir, TARGETS[0]!).reportFile)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
