import { parseUrl } from '../config/parsers.js';
import { setting } from '../config/settings.js';

/** Settings of every role that talks to the kcost database. */
export const databaseSettings = {
  databaseUrl: setting('databaseUrl', {
    description: 'PostgreSQL or TimescaleDB connection URL (postgres://user:password@host:port/database).',
    default: 'postgres://postgres@127.0.0.1:5432/kcost',
    parse: parseUrl(['postgres', 'postgresql']),
    envAliases: ['DATABASE_URL'],
  }),
};
