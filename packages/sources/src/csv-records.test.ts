import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseString } from 'fast-csv';
import { fieldsOf, readCsvRecordBatches } from './csv-records.js';
import { SourceFileError } from './source-file-error.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csv-records-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let fileCount = 0;
/** Records as { line, fields } (and malformed when broken), which is what a reader sees. */
async function recordsOf(text: string): Promise<{ line: number; fields: string[]; malformed?: string }[]> {
  fileCount += 1;
  const path = join(dir, `file-${fileCount}.csv`);
  await writeFile(path, text);
  const records: { line: number; fields: string[]; malformed?: string }[] = [];
  for await (const batch of readCsvRecordBatches(path, { displayName: 'data.csv' })) {
    for (const record of batch) records.push({ line: record.line, fields: fieldsOf(record), ...(record.malformed ? { malformed: record.malformed } : {}) });
  }
  return records;
}

async function fastCsvRows(text: string): Promise<string[][]> {
  const rows: string[][] = [];
  await new Promise<void>((resolve, reject) => {
    parseString(text, { headers: false, ignoreEmpty: false })
      .on('data', (row: string[]) => rows.push(row))
      .on('error', reject)
      .on('end', () => resolve());
  });
  return rows;
}

describe('readCsvRecordBatches', () => {
  it('numbers records by the file line they start on, across blank lines, CRLF and quoted line breaks', async () => {
    const records = await recordsOf('\ufeffa,b\r\n1,2\r\n\r\n"x\ny",3\n4,"5"\n6,7');
    expect(records).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', '2'] },
      { line: 4, fields: ['x\ny', '3'] },
      { line: 6, fields: ['4', '5'] },
      { line: 7, fields: ['6', '7'] },
    ]);
  });

  it('marks a record with broken quoting and goes on with the next one', async () => {
    const records = await recordsOf('a,b\n"1"x,2\n3,4\n');
    expect(records[1]).toEqual({ line: 2, fields: [], malformed: "broken quoting (expected: ',' OR new line got: 'x')" });
    expect(records[2]).toEqual({ line: 3, fields: ['3', '4'] });
  });

  it('fails the file on a quote that is never closed, naming the line it opens on', async () => {
    await expect(recordsOf('a,b\n1,2\n"3,4\n5,6\n')).rejects.toThrow(new SourceFileError('data.csv', 'unterminated quoted field starting on line 3', { line: 3 }));
  });

  it('fails the file when a quoted field runs on past any sane length', async () => {
    const endless = `a,b\n"${'x\n'.repeat(600_000)}`;
    await expect(recordsOf(endless)).rejects.toThrow(/data\.csv line 2: quoted field starting on line 2 is not closed within 1048576 characters/);
  });

  it('names a missing file', async () => {
    const records = (async () => {
      for await (const _batch of readCsvRecordBatches(join(dir, 'nope.csv'), { displayName: 'nope.csv' })) {
        // drain
      }
    })();
    await expect(records).rejects.toThrow('nope.csv: file not found');
  });

  it('reads records exactly as fast-csv does', async () => {
    const field = fc.oneof(
      fc.stringMatching(/^[a-z0-9 ]{0,4}$/),
      fc.stringMatching(/^[a-z,\n ]{0,5}$/).map((text) => `"${text}"`),
      fc.stringMatching(/^[a-z]{0,3}$/).map((text) => `"${text}""${text}"`),
      fc.stringMatching(/^[a-z\n]{0,3}$/).map((text) => ` "${text}" `),
      fc.constantFrom(' ', '\t', ''),
    );
    const line = fc.array(field, { minLength: 1, maxLength: 4 }).map((fields) => fields.join(','));
    const file = fc.tuple(fc.array(line, { minLength: 1, maxLength: 8 }), fc.constantFrom('\n', '\r\n'), fc.boolean());
    await fc.assert(
      fc.asyncProperty(file, async ([lines, newline, trailing]) => {
        const text = lines.join(newline) + (trailing ? newline : '');
        const ours = (await recordsOf(text)).map((record) => record.fields);
        // fast-csv returns blank lines as empty rows; the reader skips them.
        const theirs = (await fastCsvRows(text)).filter((row) => row.length > 0);
        expect(ours).toEqual(theirs);
      }),
      { numRuns: 300 },
    );
  });
});
