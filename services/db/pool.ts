import pg from 'pg';
import type { Logger } from '../log/logger.js';

/**
 * A node-postgres pool for a long-running role. Clients that the server
 * drops (restart, failover, a cut TCP connection) are logged and discarded
 * instead of crashing the process: an idle one through the pool's 'error'
 * event, a checked-out one through its own (node-postgres emits 'error' on
 * the client too, and an 'error' event nobody listens to ends the process);
 * the query in flight fails with the error, and the caller retries on a
 * fresh connection.
 */
export function createPool(options: { url: string; max: number; applicationName: string; logger: Logger }): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max,
    application_name: options.applicationName,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', (error) => options.logger.warn({ err: error }, 'an idle database connection failed; it was discarded'));
  pool.on('connect', (client) => {
    client.on('error', (error) => options.logger.warn({ err: error }, 'a database connection in use failed; its query fails and is retried'));
  });
  return pool;
}
