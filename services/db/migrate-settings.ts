import { processSettings } from '../config/common-settings.js';
import { parseEnum } from '../config/parsers.js';
import { setting } from '../config/settings.js';
import { databaseSettings } from './db-settings.js';

/** Settings of `kcost migrate`. */
export const migrateSettings = {
  databaseUrl: databaseSettings.databaseUrl,
  logLevel: processSettings.logLevel,
  storage: setting<'auto' | 'timescaledb' | 'postgres'>('storage', {
    description:
      'Storage path: auto uses TimescaleDB (hypertables, compression, retention, continuous aggregates) when the timescaledb extension can be created and plain PostgreSQL (daily partitions, rollup tables) otherwise; timescaledb or postgres force one. A database keeps the path it was first migrated with.',
    default: 'auto',
    parse: parseEnum(['auto', 'timescaledb', 'postgres'] as const),
  }),
};
