import pg from 'pg';
import { KcostError, messageOf } from '../errors/kcost-error.js';

/** Where a database URL points, without its password: `host:port/database`. */
export function databaseAddress(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return '(unparsable --database-url)';
  }
}

/** The error a role stops with when its database does not answer: which database, why, and what to do. */
export function databaseUnreachable(url: string, error: unknown): KcostError {
  return new KcostError(
    'DATABASE_UNREACHABLE',
    `cannot reach PostgreSQL at ${databaseAddress(url)} (${messageOf(error)}): start it, or point --database-url / DATABASE_URL at yours`,
    { retriable: true, cause: error },
  );
}

/**
 * Connects once and runs SELECT 1, so a role that cannot work without its
 * database stops at start with one clear error instead of serving failures.
 */
export async function checkDatabase(url: string, timeoutMillis = 5000): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMillis, application_name: 'kcost-check' });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw databaseUnreachable(url, error);
  } finally {
    await client.end().catch(() => undefined);
  }
}
