import pg from 'pg';
import type { Logger } from '../log/logger.js';

/**
 * A node-postgres pool for a long-running role. Idle clients that the server
 * drops (restart, failover) are logged and discarded instead of crashing the
 * process; the next checkout opens a fresh connection.
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
  return pool;
}
