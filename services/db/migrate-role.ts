import pg from 'pg';
import { defineRole } from '../cli/role.js';
import { processSettings } from '../config/common-settings.js';
import { parseEnum } from '../config/parsers.js';
import { setting } from '../config/settings.js';
import { createLogger } from '../log/logger.js';
import { databaseSettings } from './db-settings.js';
import { migrate } from './migrations.js';
import { pgSqlClient } from './sql-client.js';

const settings = {
  databaseUrl: databaseSettings.databaseUrl,
  logLevel: processSettings.logLevel,
  storage: setting<'auto' | 'timescaledb' | 'postgres'>('storage', {
    description:
      'Storage path: auto uses TimescaleDB (hypertables, compression, retention, continuous aggregates) when the timescaledb extension can be created and plain PostgreSQL (daily partitions, rollup tables) otherwise; timescaledb or postgres force one. A database keeps the path it was first migrated with.',
    default: 'auto',
    parse: parseEnum(['auto', 'timescaledb', 'postgres'] as const),
  }),
};

/** `kcost migrate`: applies the migrations of sql/ that have not run yet. */
export const migrateRole = defineRole({
  name: 'migrate',
  usage: 'migrate [flags]',
  summary: 'Create or upgrade the database schema.',
  description:
    'Applies the ordered migrations in sql/ that have not run yet, each in its own transaction, and records them in schema_migrations. Safe to repeat and to run from several places at once (an advisory lock serialises them). Prints one JSON line with the storage path and the migrations applied.',
  settings,
  async run(config, { stdout }) {
    const logger = createLogger({ service: 'migrate', level: config.logLevel });
    const client = new pg.Client({ connectionString: config.databaseUrl, application_name: 'kcost-migrate' });
    await client.connect();
    try {
      const result = await migrate(pgSqlClient(client), { variant: config.storage, logger });
      stdout(`${JSON.stringify(result)}\n`);
      return 0;
    } finally {
      await client.end();
    }
  },
});
