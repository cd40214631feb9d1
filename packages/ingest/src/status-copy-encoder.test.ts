import { StatusCopyEncoder } from './status-copy-encoder.js';

/** Reads COPY's binary format back, independently of the encoder. */
function decode(stream: Buffer): [string, bigint, boolean, number][] {
  expect(stream.subarray(0, 11).toString('latin1')).toBe('PGCOPY\n\xff\r\n\0');
  let at = 19;
  const rows: [string, bigint, boolean, number][] = [];
  for (;;) {
    const fields = stream.readInt16BE(at);
    at += 2;
    if (fields === -1) break;
    expect(fields).toBe(4);
    const idLength = stream.readInt32BE(at);
    const storeId = stream.subarray(at + 4, at + 4 + idLength).toString('latin1');
    at += 4 + idLength;
    expect(stream.readInt32BE(at)).toBe(8);
    const sincePostgresEpoch = stream.readBigInt64BE(at + 4);
    at += 12;
    expect(stream.readInt32BE(at)).toBe(1);
    const active = stream[at + 4] === 1;
    at += 5;
    expect(stream.readInt32BE(at)).toBe(4);
    rows.push([storeId, sincePostgresEpoch, active, stream.readInt32BE(at + 4)]);
    at += 8;
  }
  expect(at).toBe(stream.length);
  return rows;
}

describe('StatusCopyEncoder', () => {
  it('writes rows Postgres reads back exactly, across chunk boundaries and before 2000', () => {
    const encoder = new StatusCopyEncoder();
    const chunks: Buffer[] = [StatusCopyEncoder.header()];
    const expected: [string, bigint, boolean, number][] = [];
    for (let index = 0; index < 20_000; index += 1) {
      const observedAtUs = 1_674_389_379_388_884 + index * 1_000_003 - (index % 7 === 0 ? 900_000_000_000_000 : 0);
      const storeId = index % 2 === 0 ? `${9_222_367_421_889_482_050n - BigInt(index)}` : `0001e5f6-2b3c-4d5e-8f90-${String(index).padStart(12, '0')}`;
      const chunk = encoder.add(storeId, observedAtUs, index % 3 === 0, index + 2);
      if (chunk) chunks.push(Buffer.from(chunk));
      expected.push([storeId, BigInt(observedAtUs) - 946_684_800_000_000n, index % 3 === 0, index + 2]);
    }
    chunks.push(Buffer.from(encoder.take()!), StatusCopyEncoder.trailer());
    expect(chunks.length).toBeGreaterThan(3);
    expect(decode(Buffer.concat(chunks))).toEqual(expected);
  });
});
