import type pg from 'pg';

/**
 * The two calls migrations need, met by a node-postgres client and by PGlite
 * alike: `query` runs one statement with parameters, `exec` runs a script of
 * several statements.
 */
export interface SqlClient {
  query<R extends Record<string, unknown> = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
  exec(script: string): Promise<unknown>;
}

/** Adapts a node-postgres client (or pool client): a query without parameters may hold many statements. */
export function pgSqlClient(client: pg.ClientBase): SqlClient {
  return {
    query: async <R extends Record<string, unknown>>(text: string, params?: unknown[]) => {
      const result = await client.query<R>(text, params);
      return { rows: result.rows };
    },
    exec: (script: string) => client.query(script),
  };
}
