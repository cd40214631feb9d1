import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { parseString } from 'fast-csv';
import { SourceFileError } from './source-file-error.js';

/**
 * One CSV record and the file line it starts on. A plain record (no quotes) is not split when it
 * is read: it is `text.slice(start, end)`, and `fieldsOf` splits it when asked, so a reader that
 * picks its columns straight out of the text allocates nothing per field.
 */
export interface CsvRecord {
  /** 1-based; the header is line 1. A quoted field with line breaks makes a record span lines. */
  line: number;
  /** The chunk of the file the record was read from (a plain record only). */
  text: string;
  start: number;
  end: number;
  /** The fields of a record with quotes, as fast-csv parsed them. */
  parsed?: string[];
  /** Set when the record's quoting is broken. */
  malformed?: string;
}

export interface CsvReadOptions {
  /** The name used in errors (the file name, or the URL it was downloaded from). */
  displayName: string;
  /** Called after each chunk with the number of bytes read so far, for progress bars. */
  onBytes?: (bytesRead: number) => void;
  /** Sees every chunk of raw bytes as read, e.g. to hash the file in the same pass. */
  onChunk?: (chunk: Buffer) => void;
}

/** No field of these sources comes near this; a quote left open would otherwise swallow the file. */
const MAX_QUOTED_RECORD_CHARS = 1 << 20;
const CHUNK_BYTES = 256 * 1024;

/** Where a scan of a quoted record stands at the end of a physical line. */
const QuoteState = {
  FieldStart: 0,
  Unquoted: 1,
  Quoted: 2,
  /** A quote inside a quoted field: either the first half of `""` or the closing quote. */
  QuoteInQuoted: 3,
  AfterClosingQuote: 4,
} as const;
type QuoteState = (typeof QuoteState)[keyof typeof QuoteState];

function isSpace(char: string): boolean {
  return char === ' ' || char === '\t' || char === '\f' || char === '\v';
}

/**
 * Follows fast-csv's quoting rules far enough to know whether a record goes on after a line
 * break (a quote opens a field only at its start, after optional spaces; `""` escapes a quote).
 */
function scanQuotes(text: string, state: QuoteState): QuoteState {
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    switch (state) {
      case QuoteState.FieldStart:
        if (char === '"') state = QuoteState.Quoted;
        else if (char !== ',' && !isSpace(char)) state = QuoteState.Unquoted;
        break;
      case QuoteState.Unquoted:
        if (char === ',') state = QuoteState.FieldStart;
        break;
      case QuoteState.Quoted:
        if (char === '"') state = QuoteState.QuoteInQuoted;
        break;
      case QuoteState.QuoteInQuoted:
        if (char === '"') state = QuoteState.Quoted;
        else if (char === ',') state = QuoteState.FieldStart;
        else state = isSpace(char) ? QuoteState.AfterClosingQuote : QuoteState.Unquoted;
        break;
      case QuoteState.AfterClosingQuote:
        if (char === ',') state = QuoteState.FieldStart;
        else if (!isSpace(char)) state = QuoteState.Unquoted;
        break;
    }
  }
  return state;
}

/**
 * Splits a line without quotes on commas. fast-csv skips the spaces that open a record, so a first
 * field of nothing but spaces reads as empty there; this keeps the two identical.
 */
function splitPlainLine(text: string): string[] {
  const fields = text.split(',');
  const first = fields[0]!;
  if (first.length > 0 && isSpace(first[0]!) && first.trim() === '') fields[0] = '';
  return fields;
}

/** The fields of a record (none for a malformed one). */
export function fieldsOf(record: CsvRecord): string[] {
  if (record.parsed) return record.parsed;
  if (record.malformed) return [];
  return splitPlainLine(record.text.slice(record.start, record.end));
}

/** How many fields a record has, without splitting a plain one. */
export function fieldCountOf(record: CsvRecord): number {
  if (record.parsed) return record.parsed.length;
  if (record.malformed) return 0;
  let count = 1;
  for (let comma = record.text.indexOf(',', record.start); comma !== -1 && comma < record.end; comma = record.text.indexOf(',', comma + 1)) count += 1;
  return count;
}

/**
 * True when the record's fields can be read straight out of its text: a plain line that does not
 * open with a space (fast-csv reads a first field of spaces as empty; `fieldsOf` handles that).
 */
export function isPlainRecord(record: CsvRecord): boolean {
  return record.parsed === undefined && record.malformed === undefined && (record.start === record.end || !isSpace(record.text[record.start]!));
}

/** fast-csv parses every record that has a quote in it, so quoting means exactly what fast-csv says. */
async function parseQuotedRecord(text: string): Promise<{ fields: string[] } | { malformed: string }> {
  const rows: string[][] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      parseString(text, { headers: false, ignoreEmpty: false })
        .on('data', (row: string[]) => rows.push(row))
        .on('error', reject)
        .on('end', () => resolve());
    });
  } catch (error) {
    return { malformed: `broken quoting (${(error as Error).message.replace(/^Parse Error: /, '').replace(/\.? at '[\s\S]*$/, '')})` };
  }
  if (rows.length !== 1) return { malformed: 'broken quoting' };
  return { fields: rows[0]! };
}

/**
 * Streams a CSV file as batches of records, one chunk of the file at a time.
 *
 * A line without any quote character is split on commas directly, which means the same as what
 * fast-csv would return for it and is an order of magnitude faster; every record that contains a
 * quote goes through fast-csv. Lines end with LF or CRLF; blank lines are skipped but counted.
 */
export async function* readCsvRecordBatches(path: string, options: CsvReadOptions): AsyncGenerator<CsvRecord[]> {
  const { displayName, onBytes, onChunk } = options;
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let lineNumber = 0;
  let bytesRead = 0;
  let firstChunk = true;
  let open: { line: number; text: string; state: QuoteState } | null = null;

  /**
   * Takes the line text.slice(start, end). Returns a promise only for records fast-csv has to
   * parse, so plain lines cost no microtask. `quoteAt` is the next quote in `text` at or after
   * `start` (-1 for none), found once per chunk rather than once per line.
   */
  function takeLine(text: string, start: number, end: number, quoteAt: number, batch: CsvRecord[]): Promise<void> | undefined {
    lineNumber += 1;
    if (open) {
      const line = text.slice(start, end);
      open.text += `\n${line}`;
      open.state = scanQuotes(`\n${line}`, open.state);
      if (open.state === QuoteState.Quoted) {
        if (open.text.length > MAX_QUOTED_RECORD_CHARS) {
          throw new SourceFileError(displayName, `quoted field starting on line ${open.line} is not closed within ${MAX_QUOTED_RECORD_CHARS} characters (unterminated quote)`, { line: open.line });
        }
        return;
      }
      const record = open;
      open = null;
      return pushParsed(record.line, record.text, batch);
    }
    if (quoteAt === -1 || quoteAt >= end) {
      if (start === end || (isSpace(text[start]!) && text.slice(start, end).trim() === '')) return;
      batch.push({ line: lineNumber, text, start, end });
      return;
    }
    const line = text.slice(start, end);
    const state = scanQuotes(line, QuoteState.FieldStart);
    if (state === QuoteState.Quoted) {
      open = { line: lineNumber, text: line, state };
      return;
    }
    return pushParsed(lineNumber, line, batch);
  }

  async function pushParsed(line: number, text: string, batch: CsvRecord[]): Promise<void> {
    const parsed = await parseQuotedRecord(text);
    batch.push('malformed' in parsed ? { line, text: '', start: 0, end: 0, malformed: parsed.malformed } : { line, text: '', start: 0, end: 0, parsed: parsed.fields });
  }

  const stream = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytesRead += chunk.length;
      onChunk?.(chunk);
      let text = carry + decoder.write(chunk);
      if (firstChunk) {
        firstChunk = false;
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      }
      const batch: CsvRecord[] = [];
      let start = 0;
      let quoteAt = text.indexOf('"');
      for (let end = text.indexOf('\n', start); end !== -1; end = text.indexOf('\n', start)) {
        const lineEnd = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
        if (quoteAt !== -1 && quoteAt < start) quoteAt = text.indexOf('"', start);
        const pending = takeLine(text, start, lineEnd, quoteAt, batch);
        if (pending) await pending;
        start = end + 1;
      }
      carry = text.slice(start);
      onBytes?.(bytesRead);
      if (batch.length > 0) yield batch;
    }
    const rest = carry + decoder.end();
    const batch: CsvRecord[] = [];
    if (rest.length > 0) await takeLine(rest, 0, rest.endsWith('\r') ? rest.length - 1 : rest.length, rest.indexOf('"'), batch);
    if (open) {
      const line = (open as { line: number }).line;
      throw new SourceFileError(displayName, `unterminated quoted field starting on line ${line}`, { line });
    }
    if (batch.length > 0) yield batch;
  } catch (error) {
    if (error instanceof SourceFileError) throw error;
    throw new SourceFileError(displayName, describeReadError(error), { cause: error });
  } finally {
    stream.destroy();
  }
}

function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'file not found';
  if (code === 'EISDIR') return 'is a directory, not a file';
  if (code === 'EACCES') return 'permission denied';
  return `cannot be read: ${(error as Error).message}`;
}
