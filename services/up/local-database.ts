import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../log/logger.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded-postgres.js';

/** The database `kcost up` runs on, and the embedded server it started for it, if any. */
export interface UpDatabase {
  readonly url: string;
  /** How the database was found, for the start-up summary. */
  readonly origin: 'given' | 'local' | 'embedded';
  readonly embedded?: EmbeddedDatabase;
}

/**
 * --database-url (or DATABASE_URL) when given; else the `kcost` database on
 * the local server at `local`; and when nothing answers there, an embedded
 * PostgreSQL started on that address, so a machine without PostgreSQL still runs kcost.
 */
export async function resolveUpDatabase(options: { databaseUrl: string; local: { host: string; port: number }; logger: Logger }): Promise<UpDatabase> {
  if (options.databaseUrl !== '') return { url: options.databaseUrl, origin: 'given' };
  const { host, port } = options.local;
  if (await answers(host, port)) return { url: `postgres://postgres@${host}:${port}/kcost`, origin: 'local' };
  const dataDir = join(tmpdir(), `kcost-postgres-${port}`);
  options.logger.info({ address: `${host}:${port}`, dataDir }, 'no DATABASE_URL and no PostgreSQL answers; starting an embedded PostgreSQL');
  const embedded = await startEmbeddedPostgres({ host, port, dataDir, logger: options.logger });
  return { url: `${embedded.serverUrl}/kcost`, origin: 'embedded', embedded };
}

function answers(host: string, port: number, timeoutMillis = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMillis, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => done(true));
  });
}
