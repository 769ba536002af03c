import { parquetWriteBuffer, type SchemaElement } from 'hyparquet-writer';
import { csvLine } from './csv.js';
import { FOCUS_COLUMNS, type FocusColumn, type FocusRow } from './focus-columns.js';
import { decimalText, focusDateTime } from './focus-rows.js';

/** The value of one cell as FOCUS writes it in CSV: plain decimals, UTC date-times with a Z, null as an empty field. */
function cellText(column: FocusColumn, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  switch (column.type) {
    case 'Decimal':
      return decimalText(value as number);
    case 'Date/Time':
      return focusDateTime(value as number);
    case 'Boolean':
      return value ? 'true' : 'false';
    default:
      return value as string;
  }
}

/** The export as CSV, a line at a time as the rows arrive: the header, then one line per row. */
export async function* focusCsvPieces(rows: AsyncIterable<FocusRow>): AsyncGenerator<string> {
  yield csvLine(FOCUS_COLUMNS.map((c) => c.name));
  for await (const row of rows) yield csvLine(FOCUS_COLUMNS.map((c) => cellText(c, row[c.name])));
}

/**
 * The Parquet schema of the export: Decimal as DOUBLE (kcost's costs are
 * doubles; a fixed-scale DECIMAL would round them), Date/Time as UTC
 * millisecond timestamps, JSON as UTF-8 text with the JSON logical type,
 * and REQUIRED wherever the column never holds null.
 */
export function focusParquetSchema(): SchemaElement[] {
  return [
    { name: 'schema', num_children: FOCUS_COLUMNS.length },
    ...FOCUS_COLUMNS.map((c): SchemaElement => {
      const repetition_type = c.nullable ? 'OPTIONAL' : 'REQUIRED';
      switch (c.type) {
        case 'Decimal':
          return { name: c.name, type: 'DOUBLE', repetition_type };
        case 'Date/Time':
          return { name: c.name, type: 'INT64', converted_type: 'TIMESTAMP_MILLIS', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' }, repetition_type };
        case 'Boolean':
          return { name: c.name, type: 'BOOLEAN', repetition_type };
        case 'JSON':
          return { name: c.name, type: 'BYTE_ARRAY', converted_type: 'JSON', logical_type: { type: 'JSON' }, repetition_type };
        default:
          return { name: c.name, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' }, repetition_type };
      }
    }),
  ];
}

/**
 * The export as one Parquet file. Parquet writes a column at a time, so the
 * rows are held until the end: at most the API's maxRows of them per
 * statement, as for every answer.
 */
export async function focusParquet(rows: AsyncIterable<FocusRow>): Promise<Buffer> {
  const columns = FOCUS_COLUMNS.map(() => [] as unknown[]);
  for await (const row of rows) {
    FOCUS_COLUMNS.forEach((c, i) => {
      const value = row[c.name];
      (columns[i] as unknown[]).push(c.type === 'JSON' && typeof value === 'string' ? JSON.parse(value) : value);
    });
  }
  const buffer = parquetWriteBuffer({
    columnData: FOCUS_COLUMNS.map((c, i) => ({ name: c.name, data: columns[i] as unknown[] })),
    schema: focusParquetSchema(),
    createdBy: 'kcost',
    kvMetadata: [{ key: 'FocusVersion', value: '1.2' }],
  });
  return Buffer.from(buffer);
}
