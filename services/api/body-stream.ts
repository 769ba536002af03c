import { Readable } from 'node:stream';

// Large enough that a socket write is worth it, small enough that a
// hundred-thousand-row answer is never held as one string.
const CHUNK_CHARS = 64 * 1024;

/**
 * An answer as a byte stream of about 64 KiB chunks, rendered as the socket
 * drains: the pieces are pulled from `pieces` only when the previous chunk
 * was taken, so what is in memory at once is one chunk, not the whole body.
 */
export function chunkedBody(pieces: Iterable<string> | AsyncIterable<string>): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    let chunk = '';
    for await (const piece of pieces) {
      chunk += piece;
      if (chunk.length >= CHUNK_CHARS) {
        yield Buffer.from(chunk, 'utf8');
        chunk = '';
      }
    }
    if (chunk !== '') yield Buffer.from(chunk, 'utf8');
  }
  return Readable.from(chunks(), { objectMode: false });
}

/**
 * The pieces of the JSON text of `{ ...head, [key]: rows, ...tail }`, one row
 * at a time, keys in that order (the order of the route's response schema).
 */
export async function* jsonPieces(head: Readonly<Record<string, unknown>>, key: string, rows: Iterable<unknown> | AsyncIterable<unknown>, tail: Readonly<Record<string, unknown>> = {}): AsyncGenerator<string> {
  const open = JSON.stringify(head);
  yield `${open.slice(0, -1)}${open === '{}' ? '' : ','}${JSON.stringify(key)}:[`;
  let first = true;
  for await (const row of rows) {
    yield first ? JSON.stringify(row) : `,${JSON.stringify(row)}`;
    first = false;
  }
  const close = JSON.stringify(tail);
  yield close === '{}' ? ']}' : `],${close.slice(1)}`;
}
