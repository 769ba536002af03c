import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { detectFormat, type BillingFormat } from './billing-format.js';
import type { Cells } from './cell-values.js';

/** One data row of a billing file (row 1 is the first after a CSV header), or why it could not be read. */
export type FileRow = { readonly row: number; readonly cells: Cells; readonly raw: string } | { readonly row: number; readonly error: string; readonly raw: string };

/** A billing file's rows and format, or why the file as a whole cannot be read. */
export type ReadResult = { readonly ok: true; readonly format: BillingFormat; readonly rows: readonly FileRow[] } | { readonly ok: false; readonly error: string };

const GZIP_MAGIC = 0x1f8b;
const PARQUET_MAGIC = 'PAR1';

/** Whether a file name is a billing export kcost reads: .csv, .parquet, .snappy.parquet, optionally .gz. */
export function isBillingFileName(name: string): boolean {
  return /\.(csv|parquet)(\.gz)?$/i.test(name);
}

/**
 * Reads a billing export: gzip is undone (by its magic bytes, whatever the
 * name says), Parquet is told by its magic, anything else is CSV. Rows that
 * are cut short or have extra fields come back as errors, the others as
 * cells by column name.
 */
export async function readBillingFile(bytes: Buffer): Promise<ReadResult> {
  let data = bytes;
  if (data.length >= 2 && data.readUInt16BE(0) === GZIP_MAGIC) {
    try {
      data = gunzipSync(data);
    } catch (error) {
      return { ok: false, error: `not a readable gzip file: ${(error as Error).message}` };
    }
  }
  return data.subarray(0, 4).toString('latin1') === PARQUET_MAGIC ? readParquet(data) : readCsv(data);
}

async function readParquet(data: Buffer): Promise<ReadResult> {
  const file = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  let rows: Array<Record<string, unknown>>;
  let columns: string[];
  try {
    columns = parquetMetadata(file).schema.slice(1).filter((e) => e.num_children === undefined || e.num_children > 0).map((e) => e.name);
    rows = await parquetReadObjects({ file, compressors, utf8: true });
  } catch (error) {
    // A Parquet file cut short loses its footer, and with it every row: the whole file is refused.
    return { ok: false, error: `not a readable Parquet file: ${(error as Error).message}` };
  }
  const format = detectFormat(columns.length > 0 && rows[0] ? Object.keys(rows[0]) : columns);
  if (!format) return { ok: false, error: `neither FOCUS nor CUR 2.0 columns (first columns: ${columns.slice(0, 5).join(', ')})` };
  return { ok: true, format, rows: rows.map((cells, i) => ({ row: i + 1, cells, raw: '' })) };
}

function readCsv(data: Buffer): ReadResult {
  const skipped: Array<{ afterRecords: number; error: string }> = [];
  let kept = 0;
  let records: Array<{ record: string[]; info: { records: number; error?: { code?: string } } }>;
  try {
    records = parse(data, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
      skip_records_with_error: true,
      on_record: (record: string[]) => {
        kept++;
        return record;
      },
      on_skip: (error) => {
        skipped.push({ afterRecords: kept, error: error?.message ?? 'unreadable CSV record' });
      },
    }) as unknown as typeof records;
  } catch (error) {
    return { ok: false, error: `not a readable CSV file: ${(error as Error).message}` };
  }
  const header = records[0]?.record;
  if (!header) return { ok: false, error: 'the CSV file is empty' };
  const format = detectFormat(header);
  if (!format) return { ok: false, error: `neither FOCUS nor CUR 2.0 columns (first columns: ${header.slice(0, 5).join(', ')})` };
  const rows: FileRow[] = [];
  for (let i = 1; i < records.length; i++) {
    const { record } = records[i] as (typeof records)[number];
    const raw = record.join(',');
    if (record.length !== header.length) {
      rows.push({ row: i, error: `the row has ${record.length} of the header's ${header.length} fields (cut short or misquoted)`, raw });
      continue;
    }
    const cells: Record<string, string> = {};
    header.forEach((column, c) => (cells[column] = record[c] as string));
    rows.push({ row: i, cells, raw });
  }
  // A record csv-parse had to give up on (an unclosed quote: a file cut inside a quoted field) comes after the records it kept.
  for (const skip of skipped) rows.push({ row: skip.afterRecords, error: `unreadable CSV record: ${skip.error}`, raw: '' });
  return { ok: true, format, rows };
}
