import type { Report } from '@store-monitoring/db';
import { reportProgress, toReportMetadata } from './report-view.js';

const base: Report = {
  id: '3f0c8f2e-5a7b-4c1d-9e2f-6a8b0c1d2e3f',
  status: 'running',
  as_of: new Date('2023-01-25T18:13:22.479Z'),
  as_of_source: 'latest_observation',
  interpolation: 'nearest',
  business_hours_version: '1',
  timezones_version: '1',
  shard_count: 8,
  shards_done: 3,
  row_count: null,
  byte_size: null,
  sha256: null,
  file_name: null,
  error: null,
  timings: {},
  owner_id: null,
  owner_store_set_version: null,
  group_id: null,
  group_store_set_version: null,
  computed_by: null,
  computed_as_subset: false,
  recompute: false,
  wal_lsn: null,
  data_version: '1',
  request_id: null,
  created_at: new Date('2023-01-25T19:00:00Z'),
  started_at: null,
  completed_at: null,
  updated_at: new Date('2023-01-25T19:00:00Z'),
};

describe('report view', () => {
  it('counts progress in whole percent, 0 before planning, 99 until the file exists, 100 when complete', () => {
    expect(reportProgress({ status: 'pending', shard_count: null, shards_done: 0 })).toBe(0);
    expect(reportProgress({ status: 'running', shard_count: 8, shards_done: 3 })).toBe(37);
    expect(reportProgress({ status: 'running', shard_count: 3, shards_done: 3 })).toBe(99);
    expect(reportProgress({ status: 'complete', shard_count: 3, shards_done: 3 })).toBe(100);
    expect(reportProgress({ status: 'complete', shard_count: null, shards_done: 0 })).toBe(100);
  });

  it('speaks snake_case, drops timings that are not numbers, and only links a complete report', () => {
    const running = toReportMetadata({ ...base, timings: { queuedMs: 5, computeMs: 'x', totalMs: 12.5 } }, { actor: 'operator' });
    expect(running).toMatchObject({ status: 'Running', download_url: null, error: null, timings: { queued_ms: 5, total_ms: 12.5 } });
    expect(running.timings).not.toHaveProperty('compute_ms');
    const complete = toReportMetadata({ ...base, status: 'complete', byte_size: '1234', row_count: 10, sha256: 'ab' }, { actor: 'operator' });
    expect(complete).toMatchObject({ status: 'Complete', bytes: 1234, rows: 10, download_url: `/api/reports/${base.id}/csv`, progress: 100 });
    expect(toReportMetadata({ ...base, status: 'failed', error: null }, { actor: 'operator' }).error).toMatch(/without a recorded reason/);
  });

  it("names the report of every store an owner's report was taken from to the operator only", () => {
    const subset = { ...base, owner_id: 'c1f0a3e2-0000-4000-8000-000000000001', computed_by: 'c1f0a3e2-0000-4000-8000-000000000002', computed_as_subset: true };
    expect(toReportMetadata(subset, { actor: 'owner' }).computed_by).toBeNull();
    expect(toReportMetadata(subset, { actor: 'operator' }).computed_by).toBe(subset.computed_by);
    const identical = { ...subset, computed_as_subset: false };
    expect(toReportMetadata(identical, { actor: 'owner' }).computed_by).toBe(identical.computed_by);
  });
});
