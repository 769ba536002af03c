/** The two storage paths of the schema (../shared/design.md: Storage). */
export type StorageVariant = 'timescaledb' | 'postgres';

/** One migration file: shared by both paths, or for one of them. */
export interface MigrationFile {
  readonly version: number;
  readonly name: string;
  readonly variant: StorageVariant | 'common';
  readonly fileName: string;
}

/** A migration as applied on one path: its files in order (the shared one, then the path's own). */
export interface PlannedMigration {
  readonly version: number;
  readonly name: string;
  readonly files: readonly MigrationFile[];
}

const FILE_NAME = /^(\d{4})_([a-z0-9_]+?)(?:\.(timescaledb|postgres))?\.sql$/;

/** Parses `0002_raw_storage.postgres.sql`; returns undefined for files that are not migrations. */
export function parseMigrationFileName(fileName: string): MigrationFile | undefined {
  const match = FILE_NAME.exec(fileName);
  if (!match) return undefined;
  return {
    version: Number(match[1]),
    name: match[2] as string,
    variant: (match[3] as StorageVariant | undefined) ?? 'common',
    fileName,
  };
}

/**
 * Orders the migration files for one path. A version may have a shared file,
 * a file per path, or both; a version that exists for one path only is an
 * error, since the two paths must end with the same relations.
 */
export function planMigrations(fileNames: readonly string[], variant: StorageVariant): PlannedMigration[] {
  const byVersion = new Map<number, MigrationFile[]>();
  for (const fileName of fileNames) {
    const file = parseMigrationFileName(fileName);
    if (!file) continue;
    byVersion.set(file.version, [...(byVersion.get(file.version) ?? []), file]);
  }
  return [...byVersion.entries()]
    .sort(([a], [b]) => a - b)
    .map(([version, files]) => {
      const names = new Set(files.map((f) => f.name));
      if (names.size > 1) throw new Error(`migration ${version} has files with different names: ${[...names].join(', ')}`);
      const hasTimescale = files.some((f) => f.variant === 'timescaledb');
      const hasPostgres = files.some((f) => f.variant === 'postgres');
      if (hasTimescale !== hasPostgres) throw new Error(`migration ${version} has a file for one storage path only; add the other`);
      const chosen = [...files.filter((f) => f.variant === 'common'), ...files.filter((f) => f.variant === variant)];
      return { version, name: (files[0] as MigrationFile).name, files: chosen };
    });
}

/**
 * Fills in the path-specific parts of a shared migration:
 * `{{PARTITION_BY_DAY(col)}}` partitions a raw table by range of `col` on
 * plain PostgreSQL and is empty on TimescaleDB (a hypertable is made later).
 */
export function renderMigration(sql: string, variant: StorageVariant): string {
  return sql.replace(/\{\{PARTITION_BY_DAY\((\w+)\)\}\}/g, (_all, column: string) =>
    variant === 'postgres' ? `PARTITION BY RANGE (${column})` : '',
  );
}
