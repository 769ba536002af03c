import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/**
 * Streams rows encoded in COPY text format (one line each, ending in a
 * newline; a generator may encode them as the stream asks) into `table` with `COPY ... FROM STDIN`. Rows are sent in chunks
 * of about 64 KiB so a large batch neither waits on one huge string nor pays
 * a write per row.
 */
export async function copyRows(client: pg.ClientBase, table: string, columns: readonly string[], lines: Iterable<string>): Promise<void> {
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(chunk(lines, 64 * 1024)), stream);
}

function* chunk(lines: Iterable<string>, targetBytes: number): Generator<string> {
  let parts: string[] = [];
  let size = 0;
  for (const line of lines) {
    parts.push(line);
    size += line.length;
    if (size >= targetBytes) {
      yield parts.join('');
      parts = [];
      size = 0;
    }
  }
  if (parts.length > 0) yield parts.join('');
}
