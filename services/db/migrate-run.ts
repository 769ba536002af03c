import pg from 'pg';
import type { RoleRun } from '../cli/role.js';
import type { migrateSettings } from './migrate-settings.js';
import { createLogger } from '../log/logger.js';
import { migrate } from './migrations.js';
import { pgSqlClient } from './sql-client.js';

/** Runs `kcost migrate`; its help and settings are in migrate-role.ts. */
export const run: RoleRun<typeof migrateSettings> = async (config, { stdout }) => {
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
};
