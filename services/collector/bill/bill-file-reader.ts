import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parse, type Parser } from 'csv-parse';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { detectFormat, type BillingFormat } from './billing-format.js';
import type { Cells } from './cell-values.js';

/** One data row of a billing file (row 1 is the first after a CSV header), or why it could not be read. */
export type FileRow = { readonly row: number; readonly cells: Cells; readonly raw: string } | { readonly row: number; readonly error: string; readonly raw: string };

/**
 * A billing file's format and its rows, read as they are iterated, or why the
 * file as a whole cannot be read. Iterating the rows throws
 * UnreadableFileError when the file turns out unreadable past its start (a
 * gzip stream cut short): the caller drops what it read of the file.
 */
export type ReadResult = { readonly ok: true; readonly format: BillingFormat; readonly rows: AsyncIterable<FileRow> } | { readonly ok: false; readonly error: string };

/** The file stopped being readable after its first rows. */
export class UnreadableFileError extends Error {}

const GZIP_MAGIC = 0x1f8b;
const PARQUET_MAGIC = 'PAR1';

/** Whether a file name is a billing export kcost reads: .csv, .parquet, .snappy.parquet, optionally .gz. */
export function isBillingFileName(name: string): boolean {
  return /\.(csv|parquet)(\.gz)?$/i.test(name);
}

/**
 * Reads a billing export as a stream: gzip is undone (by its magic bytes,
 * whatever the name says), Parquet is told by its magic, anything else is
 * CSV. A CSV file is parsed as it streams, so only the row in hand is held,
 * never the file; a Parquet file is read whole (its index is at its end).
 * Rows that are cut short or have extra fields come back as errors, the
 * others as cells by column name.
 */
export async function readBillingStream(stream: Readable): Promise<ReadResult> {
  let data: Readable;
  let head: Buffer;
  try {
    ({ head, rest: data } = await peek(stream, 2));
    if (head.length >= 2 && head.readUInt16BE(0) === GZIP_MAGIC) {
      const gunzip = createGunzip();
      data.on('error', (error) => gunzip.destroy(error));
      ({ head, rest: data } = await peek(data.pipe(gunzip), 4));
    } else {
      ({ head, rest: data } = await peek(data, 4));
    }
  } catch (error) {
    return { ok: false, error: `not a readable gzip file: ${(error as Error).message}` };
  }
  if (head.subarray(0, 4).toString('latin1') === PARQUET_MAGIC) {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of data) chunks.push(chunk as Buffer);
      return await readParquet(Buffer.concat(chunks));
    } catch (error) {
      return { ok: false, error: `not a readable gzip file: ${(error as Error).message}` };
    }
  }
  return readCsv(data);
}

/** The stream's first `bytes` bytes (fewer at its end), and a stream of all of it again. */
async function peek(stream: Readable, bytes: number): Promise<{ head: Buffer; rest: Readable }> {
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const seen: Buffer[] = [];
  let length = 0;
  while (length < bytes) {
    const next = await chunks.next();
    if (next.done) break;
    seen.push(next.value);
    length += next.value.length;
  }
  const head = Buffer.concat(seen);
  async function* again(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
  }
  return { head, rest: Readable.from(again(), { objectMode: false }) };
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
  return { ok: true, format, rows: (async function* () { yield* rows.map((cells, i): FileRow => ({ row: i + 1, cells, raw: '' })); })() };
}

async function readCsv(data: Readable): Promise<ReadResult> {
  const skipped: Array<{ afterRecords: number; error: string }> = [];
  let kept = 0;
  const parser: Parser = parse({
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_record: (record: string[]) => {
      kept++;
      return record;
    },
    on_skip: (error) => {
      skipped.push({ afterRecords: kept, error: error?.message ?? 'unreadable CSV record' });
    },
  });
  data.on('error', (error) => parser.destroy(new UnreadableFileError(`not a readable gzip file: ${error.message}`)));
  const records = data.pipe(parser)[Symbol.asyncIterator]() as AsyncIterator<string[]>;
  let first: IteratorResult<string[]>;
  try {
    first = await records.next();
  } catch (error) {
    return { ok: false, error: error instanceof UnreadableFileError ? error.message : `not a readable CSV file: ${(error as Error).message}` };
  }
  const header = first.done ? undefined : first.value;
  if (!header) return { ok: false, error: 'the CSV file is empty' };
  const format = detectFormat(header);
  if (!format) {
    data.destroy();
    return { ok: false, error: `neither FOCUS nor CUR 2.0 columns (first columns: ${header.slice(0, 5).join(', ')})` };
  }
  async function* rows(): AsyncGenerator<FileRow> {
    let i = 0;
    try {
      for (let next = await records.next(); !next.done; next = await records.next()) {
        const record = next.value;
        const raw = record.join(',');
        i++;
        if (record.length !== header!.length) {
          yield { row: i, error: `the row has ${record.length} of the header's ${header!.length} fields (cut short or misquoted)`, raw };
          continue;
        }
        const cells: Record<string, string> = {};
        header!.forEach((column, c) => (cells[column] = record[c] as string));
        yield { row: i, cells, raw };
      }
    } catch (error) {
      if (error instanceof UnreadableFileError) throw error;
      throw new UnreadableFileError(`not a readable CSV file: ${(error as Error).message}`);
    }
    // A record csv-parse had to give up on (an unclosed quote: a file cut inside a quoted field) comes after the records it kept.
    for (const skip of skipped) yield { row: skip.afterRecords, error: `unreadable CSV record: ${skip.error}`, raw: '' };
  }
  return { ok: true, format, rows: rows() };
}
