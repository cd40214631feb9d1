import { PoolExhaustedError } from '@store-monitoring/db';
import { ReportStorageError } from '@store-monitoring/reports';
import { describeFailure } from './failure-reason.js';

describe('describeFailure', () => {
  it('names Postgres when the database connection is the problem', () => {
    expect(describeFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(
      'Postgres unavailable: connect ECONNREFUSED 127.0.0.1:5432',
    );
    expect(describeFailure(new Error('Connection terminated unexpectedly'))).toBe('Postgres unavailable: Connection terminated unexpectedly');
    expect(describeFailure(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toMatch(/^Postgres unavailable: /);
    // The same judgement as the API's: a server out of connections, a connect failing on every address.
    expect(describeFailure(Object.assign(new Error('sorry, too many clients already'), { code: '53300' }))).toBe('Postgres unavailable: sorry, too many clients already');
    expect(describeFailure(new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' })], 'connect failed'))).toBe(
      'Postgres unavailable: connect failed',
    );
  });

  it('says pool exhaustion and statement timeouts for what they are, not "Postgres unavailable"', () => {
    expect(describeFailure(new PoolExhaustedError(10, 5_000, 3))).toBe(
      'Postgres pool exhausted: all 10 connections of the pool (DATABASE_POOL_SIZE) stayed busy for 5000 ms; 3 more queries were waiting',
    );
    expect(describeFailure(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }))).toBe(
      'Postgres statement timed out: canceling statement due to statement timeout',
    );
    expect(describeFailure(new Error('Query read timeout'))).toBe('Postgres statement timed out: Query read timeout');
  });

  it('keeps the storage wording and other messages as they are', () => {
    const storage = new ReportStorageError(Object.assign(new Error("EACCES: permission denied, open '/r/x'"), { code: 'EACCES' }), '/r');
    expect(describeFailure(storage)).toBe("REPORTS_DIR not writable (/r): EACCES: permission denied, open '/r/x'");
    expect(describeFailure(new Error('division by zero'))).toBe('division by zero');
  });
});
