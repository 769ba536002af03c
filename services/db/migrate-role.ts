import { defineRole } from '../cli/role.js';
import { lazyRun } from '../cli/lazy-run.js';
import { migrateSettings } from './migrate-settings.js';

/** `kcost migrate`: applies the migrations of sql/ that have not run yet. */
export const migrateRole = defineRole({
  name: 'migrate',
  usage: 'migrate [flags]',
  summary: 'Create or upgrade the database schema.',
  description:
    'Applies the ordered migrations in sql/ that have not run yet, each in its own transaction, and records them in schema_migrations. Safe to repeat and to run from several places at once (an advisory lock serialises them). Prints one JSON line with the storage path and the migrations applied.',
  settings: migrateSettings,
  run: lazyRun(() => import('./migrate-run.js')),
});
