import type { DbRow } from './allocation-rows.js';

/**
 * The rows of one statement, counted before any is read, then read in
 * batches in the statement's order. close() gives its connection back and
 * may be called more than once.
 */
export interface RowCursor {
  readonly rowCount: number;
  batches(): AsyncIterable<DbRow[]>;
  close(): Promise<void>;
}

/** A RowCursor over rows already in memory, for a runQuery without cursors. */
export function arrayCursor(rows: readonly DbRow[], batchRows: number): RowCursor {
  return {
    rowCount: rows.length,
    async *batches() {
      for (let at = 0; at < rows.length; at += batchRows) yield rows.slice(at, at + batchRows);
    },
    async close() {},
  };
}

/** One row at a time from a cursor's batches, with a look at the next row first. */
export class RowReader {
  private batch: DbRow[] = [];
  private at = 0;
  private readonly iterator: AsyncIterator<DbRow[]>;

  constructor(cursor: RowCursor) {
    this.iterator = cursor.batches()[Symbol.asyncIterator]();
  }

  /** The next row without taking it; undefined at the end. */
  async peek(): Promise<DbRow | undefined> {
    while (this.at >= this.batch.length) {
      const next = await this.iterator.next();
      if (next.done) return undefined;
      this.batch = next.value;
      this.at = 0;
    }
    return this.batch[this.at];
  }

  /** Takes the row peek() returned. */
  take(): void {
    this.at++;
  }
}
