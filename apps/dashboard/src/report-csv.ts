/** One row of a report CSV. Hour columns are minutes; day and week columns are hours. */
export interface ReportRow {
  storeId: string;
  uptimeHour: number;
  uptimeDay: number;
  uptimeWeek: number;
  downtimeHour: number;
  downtimeDay: number;
  downtimeWeek: number;
}

export const REPORT_HEADER = 'store_id,uptime_last_hour,uptime_last_day,uptime_last_week,downtime_last_hour,downtime_last_day,downtime_last_week';

const NUMBER_PATTERN = /^\d+(\.\d+)?$/;
const NUMBER_COLUMNS = REPORT_HEADER.split(',').slice(1);

export class ReportCsvError extends Error {
  constructor(fileName: string, line: number, reason: string) {
    super(`${fileName} line ${line}: ${reason}`);
    this.name = 'ReportCsvError';
  }
}

/** Splits one CSV line, honouring RFC 4180 quotes (a store id may in principle contain a comma). */
function splitCsvLine(line: string): string[] | null {
  const fields: string[] = [];
  let index = 0;
  while (index <= line.length) {
    if (line[index] === '"') {
      let value = '';
      index += 1;
      for (;;) {
        const quote = line.indexOf('"', index);
        if (quote < 0) return null;
        value += line.slice(index, quote);
        if (line[quote + 1] === '"') {
          value += '"';
          index = quote + 2;
          continue;
        }
        index = quote + 1;
        break;
      }
      if (index < line.length && line[index] !== ',') return null;
      fields.push(value);
      index += 1;
    } else {
      const comma = line.indexOf(',', index);
      const end = comma < 0 ? line.length : comma;
      fields.push(line.slice(index, end));
      index = end + 1;
    }
  }
  return fields;
}

/**
 * Parses a report CSV as the API serves it. Throws a ReportCsvError naming the line and the reason
 * for anything that is not a report, so a wrong file never turns into silent zeros on the page.
 */
export function parseReportCsv(text: string, fileName = 'report CSV'): ReportRow[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const header = lines[0]?.replace(/\r$/, '');
  if (header !== REPORT_HEADER) {
    throw new ReportCsvError(fileName, 1, `expected the header "${REPORT_HEADER}", found "${header ?? ''}"`);
  }
  const rows: ReportRow[] = [];
  for (let index = 1; index < lines.length; index += 1) {
    const lineNumber = index + 1;
    const line = (lines[index] ?? '').replace(/\r$/, '');
    const fields = splitCsvLine(line);
    if (!fields) throw new ReportCsvError(fileName, lineNumber, 'unbalanced quotes');
    if (fields.length !== 7) throw new ReportCsvError(fileName, lineNumber, `expected 7 fields, found ${fields.length}`);
    const [storeId, ...numberFields] = fields as [string, ...string[]];
    if (storeId === '') throw new ReportCsvError(fileName, lineNumber, 'empty store_id');
    const values = numberFields.map((field, column) => {
      if (!NUMBER_PATTERN.test(field)) {
        throw new ReportCsvError(fileName, lineNumber, `${NUMBER_COLUMNS[column]} is "${field}", not a non-negative number`);
      }
      return Number(field);
    }) as [number, number, number, number, number, number];
    rows.push({
      storeId,
      uptimeHour: values[0],
      uptimeDay: values[1],
      uptimeWeek: values[2],
      downtimeHour: values[3],
      downtimeDay: values[4],
      downtimeWeek: values[5],
    });
  }
  return rows;
}
