import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AtomicFile, LineBuffer, ReportStorageError, reportPaths } from './report-files.js';

describe('report files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'report-files-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('builds paths from a validated report id only', () => {
    expect(reportPaths('/data', '0b8f1c9e-7c1a-4c1e-9a53-1f6f5f2b8e10').reportFile).toBe('/data/0b8f1c9e-7c1a-4c1e-9a53-1f6f5f2b8e10.csv');
    expect(() => reportPaths('/data', '../../etc/passwd')).toThrow(/report id/);
  });

  it('shows nothing under the final name until commit, then the whole file', async () => {
    const target = join(dir, 'out.csv');
    await writeFile(target, 'old\n');
    const file = await AtomicFile.create(target);
    await file.write('new line 1\n');
    expect(await readFile(target, 'utf8')).toBe('old\n');
    await file.write('new line 2\n');
    await file.commit();
    expect(await readFile(target, 'utf8')).toBe('new line 1\nnew line 2\n');
    expect(await readdir(dir)).toEqual(['out.csv']);
  });

  it('leaves no trace when aborted', async () => {
    const file = await AtomicFile.create(join(dir, 'sub', 'out.csv'));
    await file.write('partial');
    await file.abort();
    expect(await readdir(join(dir, 'sub'))).toEqual([]);
  });

  it('words storage failures for the operator', async () => {
    await writeFile(join(dir, 'not-a-dir'), '');
    const error = await AtomicFile.create(join(dir, 'not-a-dir', 'x.csv')).catch((cause: unknown) => new ReportStorageError(cause, dir));
    expect(error).toBeInstanceOf(ReportStorageError);
    expect((error as Error).message).toMatch(/^REPORTS_DIR not writable \(.*\): (EEXIST|ENOTDIR)/);
  });

  it('buffers lines into large chunks ending in a line feed', async () => {
    const chunks: string[] = [];
    const lines = new LineBuffer(async (chunk) => {
      chunks.push(chunk);
    }, 10);
    await lines.push('abc');
    expect(chunks).toEqual([]);
    await lines.push('defgh');
    await lines.push('i');
    await lines.flush();
    expect(chunks).toEqual(['abc\ndefgh\n', 'i\n']);
  });
});
