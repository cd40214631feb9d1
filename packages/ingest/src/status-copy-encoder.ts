/** Microseconds from the Unix epoch to Postgres' epoch, 2000-01-01 UTC. */
const POSTGRES_EPOCH_US = 946_684_800_000_000;
const TWO_TO_32 = 4_294_967_296;
const CHUNK_BYTES = 256 * 1024;
/** Field count, four length words, the fixed-size values and the longest id. */
const MAX_ROW_BYTES = 2 + 4 * 4 + 8 + 1 + 4 + 128;

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/**
 * Encodes poll rows (store_id text, observed_at timestamptz, active boolean, line integer) in
 * COPY's binary format. Binary spares Postgres from parsing a timestamp per row and the encoder
 * from formatting one: a timestamptz travels as its microsecond count. Runs once per poll, so it
 * writes through a DataView and copies the (ASCII) id byte by byte rather than calling into
 * Buffer's checked writers.
 */
export class StatusCopyEncoder {
  private buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  private view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
  private offset = 0;

  /** The header that opens every binary COPY stream. */
  static header(): Buffer {
    const header = Buffer.alloc(SIGNATURE.length + 8);
    SIGNATURE.copy(header, 0);
    return header;
  }

  /** The trailer that closes a binary COPY stream. */
  static trailer(): Buffer {
    return Buffer.from([0xff, 0xff]);
  }

  /** Appends one row; returns a full chunk to send when the buffer is nearly full, else null. */
  add(storeId: string, observedAtUs: number, active: boolean, line: number): Buffer | null {
    let chunk: Buffer | null = null;
    if (this.offset + MAX_ROW_BYTES > this.buffer.length) chunk = this.take();
    const { buffer, view } = this;
    let at = this.offset;
    view.setInt16(at, 4);
    view.setInt32(at + 2, storeId.length);
    at += 6;
    // Store ids are validated ASCII: one byte per character.
    for (let i = 0; i < storeId.length; i += 1) buffer[at + i] = storeId.charCodeAt(i);
    at += storeId.length;
    const sincePostgresEpoch = observedAtUs - POSTGRES_EPOCH_US;
    const high = Math.floor(sincePostgresEpoch / TWO_TO_32);
    view.setInt32(at, 8);
    view.setInt32(at + 4, high);
    view.setUint32(at + 8, sincePostgresEpoch - high * TWO_TO_32);
    view.setInt32(at + 12, 1);
    buffer[at + 16] = active ? 1 : 0;
    view.setInt32(at + 17, 4);
    view.setInt32(at + 21, line);
    this.offset = at + 25;
    return chunk;
  }

  /** The rows encoded so far, or null when there are none. */
  take(): Buffer | null {
    if (this.offset === 0) return null;
    const chunk = this.buffer.subarray(0, this.offset);
    this.buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
    this.offset = 0;
    return chunk;
  }
}
