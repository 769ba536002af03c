import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KcostError, messageOf } from '../errors/kcost-error.js';
import type { Logger } from '../log/logger.js';
import { planMigrations, renderMigration, type StorageVariant } from './migration-plan.js';
import type { SqlClient } from './sql-client.js';

export interface MigrateOptions {
  /** Folder of the migration files; defaults to the package's sql/. */
  readonly dir?: string;
  /** auto: TimescaleDB when the extension can be created, plain PostgreSQL otherwise. */
  readonly variant?: StorageVariant | 'auto';
  /** Runs every migration again even where schema_migrations says it ran (they are idempotent). */
  readonly reapply?: boolean;
  readonly logger: Logger;
}

export interface MigrateResult {
  readonly variant: StorageVariant;
  /** Migrations run by this call, as `0002_raw_storage`. */
  readonly applied: readonly string[];
}

// Any constant works; it keeps two `kcost migrate` runs from interleaving.
const MIGRATION_LOCK = 7_311_104_001;

/** The sql/ folder of the package, found from this file in services/db or dist/services/db. */
export function defaultMigrationsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'sql', '0001_raw_tables.sql'))) return join(dir, 'sql');
    dir = dirname(dir);
  }
  throw new KcostError('MIGRATIONS_NOT_FOUND', `no sql/ folder with migrations above ${fileURLToPath(import.meta.url)}`);
}

/**
 * Applies the migrations that have not run yet, each in its own transaction,
 * and records them in schema_migrations with the storage path they were
 * written for. A database stays on the path of its first migration.
 */
export async function migrate(client: SqlClient, options: MigrateOptions): Promise<MigrateResult> {
  const dir = options.dir ?? defaultMigrationsDir();
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    await client.exec(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        variant text NOT NULL,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      );
      COMMENT ON TABLE schema_migrations IS 'Migrations of sql/ applied by kcost migrate, and the storage path (timescaledb or postgres) they were applied for.';
      COMMENT ON COLUMN schema_migrations.version IS 'Migration number (the file name prefix).';
      COMMENT ON COLUMN schema_migrations.name IS 'Migration name (the file name without number and suffix).';
      COMMENT ON COLUMN schema_migrations.variant IS 'Storage path: timescaledb or postgres.';
      COMMENT ON COLUMN schema_migrations.checksum IS 'SHA-256 of the SQL that ran.';
      COMMENT ON COLUMN schema_migrations.applied_at IS 'When it ran.';
    `);
    const variant = await chooseVariant(client, options.variant ?? 'auto', options.logger);
    const done = new Map(
      (await client.query<{ version: number; checksum: string }>('SELECT version, checksum FROM schema_migrations')).rows.map((r) => [
        Number(r.version),
        r.checksum,
      ]),
    );
    const applied: string[] = [];
    for (const migration of planMigrations(readdirSync(dir), variant)) {
      const sql = migration.files.map((f) => renderMigration(readFileSync(join(dir, f.fileName), 'utf8'), variant)).join('\n');
      const checksum = createHash('sha256').update(sql).digest('hex');
      const label = `${String(migration.version).padStart(4, '0')}_${migration.name}`;
      const previous = done.get(migration.version);
      if (previous !== undefined && !options.reapply) {
        if (previous !== checksum) options.logger.warn({ migration: label }, 'an applied migration has changed since it ran; it is not run again');
        continue;
      }
      await client.exec('BEGIN');
      try {
        await client.exec(sql);
        await client.query(
          `INSERT INTO schema_migrations (version, name, variant, checksum) VALUES ($1, $2, $3, $4)
           ON CONFLICT (version) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = now()`,
          [migration.version, migration.name, variant, checksum],
        );
        await client.exec('COMMIT');
      } catch (error) {
        await client.exec('ROLLBACK');
        throw new KcostError('MIGRATION_FAILED', `migration ${label} (${variant}) failed: ${messageOf(error)}`, { cause: error });
      }
      options.logger.info({ migration: label, variant }, 'applied migration');
      applied.push(label);
    }
    return { variant, applied };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  }
}

/** The storage path recorded by the first migration, or undefined on an empty database. */
export async function storageVariantOf(client: SqlClient): Promise<StorageVariant | undefined> {
  const { rows } = await client.query<{ variant: string }>(
    `SELECT variant FROM schema_migrations ORDER BY version LIMIT 1`,
  ).catch((error: unknown) => {
    if ((error as { code?: string }).code === '42P01') return { rows: [] };
    throw error;
  });
  const variant = rows[0]?.variant;
  return variant === 'timescaledb' || variant === 'postgres' ? variant : undefined;
}

async function chooseVariant(client: SqlClient, wanted: StorageVariant | 'auto', logger: Logger): Promise<StorageVariant> {
  const recorded = await storageVariantOf(client);
  if (recorded) {
    if (wanted !== 'auto' && wanted !== recorded) {
      throw new KcostError('INVALID_CONFIG', `the database was migrated for ${recorded}; it cannot be migrated for ${wanted}`);
    }
    return recorded;
  }
  if (wanted === 'postgres') return 'postgres';
  const available = await client.query("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'");
  if (available.rows.length > 0) {
    try {
      await client.exec('CREATE EXTENSION IF NOT EXISTS timescaledb');
      return 'timescaledb';
    } catch (error) {
      // Installed but not preloaded (shared_preload_libraries), or not permitted: fall back unless asked for it.
      if (wanted === 'timescaledb') throw new KcostError('MIGRATION_FAILED', `cannot create the timescaledb extension: ${messageOf(error)}`, { cause: error });
      logger.warn({ err: error }, 'timescaledb is installed but cannot be created; using plain PostgreSQL');
      return 'postgres';
    }
  }
  if (wanted === 'timescaledb') throw new KcostError('MIGRATION_FAILED', 'the timescaledb extension is not available on this server');
  return 'postgres';
}
