import type pg from 'pg';
import type { DbRow } from './allocation-rows.js';
import type { RowCursor } from './row-cursor.js';
import type { SqlQuery } from './sql-params.js';

/**
 * Opens a server-side cursor over a statement, in a read-only transaction
 * on a connection of its own: PostgreSQL computes and keeps the result, the
 * API counts it (MOVE, which sends no rows) and then reads it `batchRows` at
 * a time, so it never holds the driver's copy of a large result and can
 * refuse one over the row cap before it starts an answer. A connection
 * whose statement failed is destroyed rather than returned to the pool.
 * Statements without parameters go together, so a small answer costs five
 * round trips (under load every one of them waits for a CPU).
 */
export async function openPgCursor(pool: pg.Pool, query: SqlQuery, batchRows: number): Promise<RowCursor> {
  const client = await pool.connect();
  let rowCount: number;
  try {
    // Every row is read: plan for the whole result, not for the first tenth (the default for cursors).
    await client.query('BEGIN READ ONLY; SET LOCAL cursor_tuple_fraction = 1');
    await client.query(`DECLARE kcost_rows SCROLL CURSOR FOR ${query.text}`, [...query.values]);
    // Two statements in one query answer with one result each.
    const [moved] = (await client.query('MOVE FORWARD ALL IN kcost_rows; MOVE ABSOLUTE 0 IN kcost_rows')) as unknown as pg.QueryResult[];
    rowCount = moved?.rowCount ?? 0;
  } catch (error) {
    client.release(error instanceof Error ? error : true);
    throw error;
  }
  let closed = false;
  return {
    rowCount,
    async *batches() {
      // Once closed, the connection may already serve someone else: never FETCH on it again.
      for (let fetched = 0; fetched < rowCount && !closed; ) {
        const { rows } = await client.query<DbRow>(`FETCH ${batchRows} FROM kcost_rows`);
        if (rows.length === 0) return;
        fetched += rows.length;
        yield rows;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await client.query('ROLLBACK');
        client.release();
      } catch (error) {
        client.release(error instanceof Error ? error : true);
      }
    },
  };
}
