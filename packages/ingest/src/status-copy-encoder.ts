/** Microseconds from the Unix epoch to Postgres' epoch, 2000-01-01 UTC. */
const POSTGRES_EPOCH_US = 946_684_800_000_000;
const TWO_TO_32 = 4_294_967_296;
const CHUNK_BYTES = 256 * 1024;
/** Field count, four length words, the fixed-size values and the id bytes. */
const MAX_ROW_BYTES = 2 + 4 * 4 + 8 + 1 + 4 + 128;

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/**
 * Encodes poll rows (store_id text, observed_at timestamptz, active boolean, line integer) in
 * COPY's binary format. Binary spares Postgres from parsing a timestamp per row and the encoder
 * from formatting one: a timestamptz travels as its microsecond count.
 */
export class StatusCopyEncoder {
  private buffer = Buffer.allocUnsafe(CHUNK_BYTES);
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
    const buffer = this.buffer;
    let at = this.offset;
    buffer.writeInt16BE(4, at);
    // Store ids are ASCII (validated), so latin1 writes one byte per character.
    const idLength = buffer.write(storeId, at + 6, 'latin1');
    buffer.writeInt32BE(idLength, at + 2);
    at += 6 + idLength;
    const sincePostgresEpoch = observedAtUs - POSTGRES_EPOCH_US;
    const high = Math.floor(sincePostgresEpoch / TWO_TO_32);
    buffer.writeInt32BE(8, at);
    buffer.writeInt32BE(high, at + 4);
    buffer.writeUInt32BE(sincePostgresEpoch - high * TWO_TO_32, at + 8);
    buffer.writeInt32BE(1, at + 12);
    buffer[at + 16] = active ? 1 : 0;
    buffer.writeInt32BE(4, at + 17);
    buffer.writeInt32BE(line, at + 21);
    this.offset = at + 25;
    return chunk;
  }

  /** The rows encoded so far, or null when there are none. */
  take(): Buffer | null {
    if (this.offset === 0) return null;
    const chunk = this.buffer.subarray(0, this.offset);
    this.buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    this.offset = 0;
    return chunk;
  }
}
