import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/** URL of the real PostgreSQL server the global setup found. */
export function serverUrl(): string {
  return inject('databaseUrl');
}

/**
 * Creates an empty database with a unique name on the real server, so tests
 * never see each other's tables; drop() removes it.
 */
export async function createTestDatabase(prefix = 'kcost_test'): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: serverUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl() });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
