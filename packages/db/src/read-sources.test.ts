import { isReplicaReadLost, lsnValue, replicaName, replicaUrlList } from './read-sources.js';

describe('read routing helpers', () => {
  it('orders WAL positions as Postgres does', () => {
    expect(lsnValue('0/16B3748') < lsnValue('0/16B3750')).toBe(true);
    expect(lsnValue('1/0') > lsnValue('0/FFFFFFFF')).toBe(true);
    expect(lsnValue('16/B374D848')).toBe((0x16n << 32n) + 0xb374d848n);
  });

  it('tells a read lost with its standby from a failing read', () => {
    expect(isReplicaReadLost(Object.assign(new Error('canceling statement due to conflict with recovery'), { code: '40001' }))).toBe(true);
    expect(isReplicaReadLost(Object.assign(new Error('terminating connection due to conflict with recovery'), { code: '40001' }))).toBe(true);
    expect(isReplicaReadLost(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isReplicaReadLost(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isReplicaReadLost(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5433'), { code: 'ECONNREFUSED' }))).toBe(true);
    // A serialization failure of the primary's own, or a wrong query, is not the standby's doing.
    expect(isReplicaReadLost(Object.assign(new Error('could not serialize access'), { code: '40001' }))).toBe(false);
    expect(isReplicaReadLost(Object.assign(new Error('column "x" does not exist'), { code: '42703' }))).toBe(false);
  });

  it('names a standby by host and port, never by its password', () => {
    expect(replicaName('postgres://user:secret@standby-1:5433/sm')).toBe('standby-1:5433');
    expect(replicaName('postgres://standby-2/sm')).toBe('standby-2:5432');
    expect(replicaUrlList(' postgres://a/sm , ,postgres://b/sm')).toEqual(['postgres://a/sm', 'postgres://b/sm']);
  });
});
