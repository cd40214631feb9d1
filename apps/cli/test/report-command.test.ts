import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPORT_HEADER_LINE } from '@store-monitoring/metrics';

const CLI = fileURLToPath(new URL('../dist/main.js', import.meta.url));

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('pnpm cli report', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cli-report-'));
    await writeFile(
      join(dir, 'store_status.csv'),
      [
        'store_id,status,timestamp_utc',
        'b,active,2023-01-25 17:00:00 UTC',
        'a,sleeping,2023-01-25 17:10:00 UTC',
        'a,inactive,2023-01-25 17:30:00.5 UTC',
        'b,inactive,2023-01-25T17:45:00Z',
      ].join('\n') + '\n',
    );
    await writeFile(join(dir, 'menu_hours.csv'), 'store_id,day,start_time_local,end_time_local\na,2,09:00:00,23:59:59\n');
    await writeFile(join(dir, 'timezones.csv'), 'store_id,timezone_str\na,America/Chicago\nc,Nowhere/Land\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the report, lists bad rows by file and line, and ends stdout with a JSON summary', async () => {
    const out = join(dir, 'report.csv');
    const result = await cli(['report', '--data-dir', dir, '--out', out]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^store_status\.csv:3: .*sleeping/m);
    expect(result.stderr).toMatch(/^timezones\.csv:3: warning: .*Nowhere\/Land/m);
    const summary = JSON.parse(result.stdout.trim().split('\n').at(-1)!);
    expect(summary).toMatchObject({ as_of: '2023-01-25T17:45:00.000000Z', interpolation: 'nearest', rows: 3, rejected_rows: 1 });
    const lines = (await readFile(out, 'utf8')).split('\n');
    expect(lines[0]).toBe(REPORT_HEADER_LINE);
    expect(lines.slice(1, -1).map((line) => line.split(',')[0])).toEqual(['a', 'b', 'c']);
  });

  it('explains bad options with exit code 2', async () => {
    const missing = await cli(['report', '--out', join(dir, 'x.csv')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--data-dir is required/);
    const badInstant = await cli(['report', '--data-dir', dir, '--out', join(dir, 'x.csv'), '--as-of', 'yesterday', '--interpolation', 'linear']);
    expect(badInstant.code).toBe(2);
    expect(badInstant.stderr).toMatch(/--as-of must be an ISO-8601 instant/);
    expect(badInstant.stderr).toMatch(/--interpolation must be one of nearest, carry_forward/);
  });

  it('fails with the missing file named when a source is absent', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'cli-report-empty-'));
    try {
      const result = await cli(['report', '--data-dir', empty, '--out', join(empty, 'r.csv')]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/report failed: .*store_status\.csv/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
