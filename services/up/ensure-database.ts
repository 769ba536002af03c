import pg from 'pg';
import { databaseUnreachable } from '../db/database-reachable.js';

/**
 * Creates the database named in `url` when the server has no such database
 * yet, by connecting to the server's `postgres` database. A newcomer's
 * PostgreSQL has no `kcost` database; `kcost up` should not make them create it.
 */
export async function ensureDatabase(url: string): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const client = new pg.Client({ connectionString: maintenance.toString(), application_name: 'kcost-up' });
  try {
    await client.connect();
  } catch (error) {
    throw databaseUnreachable(url, error);
  }
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return false;
    // An identifier cannot be a bind parameter; escapeIdentifier quotes it safely.
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
    return true;
  } finally {
    await client.end();
  }
}
